/** Bad input never crosses into the addon: each gets a TypeError or RangeError naming the value. */
import { describe, expect, it } from 'vitest';
import { Namespace, ProcessHandle } from '../src/index.js';
import * as raw from '../src/raw.js';

type Case = [label: string, call: () => unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const cases: Case[] = [
  ['of: pid 0', () => Namespace.of(0, 'net'), RangeError, /pid must be an integer from 1 to 4194304, got 0/],
  ['of: negative pid', () => Namespace.of(-1, 'net'), RangeError, /got -1/],
  ['of: NaN pid', () => Namespace.of(Number.NaN, 'net'), RangeError, /got NaN/],
  ['of: Infinity pid', () => Namespace.of(Number.POSITIVE_INFINITY, 'net'), RangeError, /got Infinity/],
  ['of: fractional pid', () => Namespace.of(1.5, 'net'), RangeError, /got 1.5/],
  ['of: huge pid', () => Namespace.of(2 ** 40, 'net'), RangeError, /got 1099511627776/],
  ['of: string pid', () => Namespace.of('1' as never, 'net'), TypeError, /pid must be an integer, got "1"/],
  ['of: bigint pid', () => Namespace.of(1n as never, 'net'), TypeError, /got 1n/],
  ['of: unknown kind', () => Namespace.of('self', 'network' as never), TypeError, /Unknown namespace type "network": expected one of cgroup, ipc, mnt, net, pid, time, user, uts/],
  ['of: kind undefined', () => Namespace.of('self', undefined as never), TypeError, /Unknown namespace type undefined/],
  ['open: NUL in path', () => Namespace.open('/proc/self/ns/net\0x'), RangeError, /must not contain NUL bytes/],
  ['open: empty path', () => Namespace.open(''), RangeError, /path must not be empty/],
  ['open: number path', () => Namespace.open(3 as never), TypeError, /path must be a string, got 3/],
  ['ProcessHandle.open: pid 0', () => ProcessHandle.open(0), RangeError, /got 0/],
  ['ProcessHandle.open: object', () => ProcessHandle.open({} as never), TypeError, /got \[object Object\]/],
  ['raw.setns: negative fd', () => raw.setns(-1), RangeError, /fd must be an integer from 0 to 2147483647, got -1/],
  ['raw.setns: unknown kind', () => raw.setns(0, 'nett' as never), TypeError, /"nett"/],
  ['raw.setns: kinds array with a bad one', () => raw.setns(0, ['net', 'bogus'] as never), TypeError, /"bogus"/],
  ['raw.unshare: flags NaN', () => raw.unshare(Number.NaN), RangeError, /flags must be an integer/],
  ['raw.unshare: flags object', () => raw.unshare({} as never), TypeError, /flags must be a flag mask/],
  ['raw.pidfdSendSignal: bad name', () => raw.pidfdSendSignal(0, 'SIGFOO'), TypeError, /Unknown signal "SIGFOO"/],
  ['raw.pidfdSendSignal: 65', () => raw.pidfdSendSignal(0, 65), RangeError, /signal must be an integer from 0 to 64, got 65/],
  ['raw.nsTranslatePid: bad which', () => raw.nsTranslatePid(0, 7 as never, 1), TypeError, /which must be one of/],
  ['raw.pidfdGetNamespace: forChildren of net', () => raw.pidfdGetNamespace(0, 'net', { forChildren: true }), TypeError, /forChildren applies to pid and time namespaces, not net/],
  ['new Namespace()', () => new (Namespace as unknown as new (...a: unknown[]) => unknown)(Symbol('x'), null, 'net'), TypeError, /cannot be constructed directly/],
];

describe('argument validation', () => {
  it.each(cases)('%s', (_label, call, errorType, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(errorType);
    expect((thrown as Error).message).toMatch(message);
  });

  it('equals() and pidIn() reject non-handles', () => {
    using ns = Namespace.of('self', 'net');
    using self = ProcessHandle.open(process.pid);
    expect(() => ns.equals({} as never)).toThrow(TypeError);
    expect(() => self.pidIn(ns)).toThrow(/expects a pid Namespace, got a net namespace/);
  });
});
