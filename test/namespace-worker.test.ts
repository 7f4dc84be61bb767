/**
 * namespaceWorker(): a worker thread pinned to net, uts and ipc namespaces, run in a fixture
 * process of its own (test/fixtures/pinned-worker.mjs), so that no thread of the test runner
 * joins anything. Exact namespace links, the hostname, a socket's namespace by SIOCGSKNS, a
 * connection into the worker's server, and nothing left (threads in the namespace, fds) once the
 * worker ended or was terminated.
 */
import { describe, expect } from 'vitest';
import { canBeNobody, isRoot, itWith } from './helpers/features.js';
import { SETPRIV_NOBODY, runFixture } from './helpers/processes.js';

describe('namespaceWorker', () => {
  itWith(isRoot, 'needs root to create and join namespaces', "the worker's thread is in the given net, uts and ipc namespaces before its module runs; the main thread is not; nothing stays after exit or terminate(); other kinds are refused with the kernel's reason", () => {
    const o = runFixture([], 'pinned-worker.mjs');
    expect(o.seen.threadNs).toMatchObject({ net: o.expected.net, uts: o.expected.uts, ipc: o.expected.ipc });
    expect(o.seen.socketNs).toBe(o.expected.socketNs);
    expect([o.seen.hostname, o.seen.workerData, o.seen.port]).toEqual(['pinned-box', { given: 42 }, 'number']);
    expect(o.threadsInNet).toBe(1);
    expect([o.reply, o.mainHostname === 'pinned-box', o.mainUnchanged]).toEqual(['worker on pinned-box', false, true]);
    expect([o.exit, o.threadsInNetAfter, o.fdsUnchanged, o.threadsUnchanged]).toEqual([0, 0, true, true]);
    expect([o.terminatedBefore, o.terminatedAfter, o.fdsUnchangedAfterTerminate]).toEqual([1, 0, true]);
    const reason = (kind: string, why: string): { name: string; message: string } => ({ name: 'RangeError', message: `options.namespaces[0] is a ${kind} namespace: a worker thread cannot join it: ${why}` });
    expect(o.refused).toEqual({
      user: reason('user', 'the kernel refuses setns(CLONE_NEWUSER) in a process with more than one thread (EINVAL), and a Worker is one of several'),
      mnt: reason('mnt', 'the kernel refuses setns(CLONE_NEWNS) to a thread that shares its root and cwd (fs_struct) with other threads (EINVAL), as every Node thread does'),
      time: reason('time', 'the kernel refuses setns(CLONE_NEWTIME) in a process with more than one thread (EUSERS)'),
      pid: reason('pid', "setns(CLONE_NEWPID) changes only the namespace of the thread's future children (pid_for_children), never its own: spawn() the code into the pid namespace instead"),
    });
    expect(o.closed).toEqual({ name: 'Error', code: 'ERR_NSBRIDGE_CLOSED', message: 'Namespace (net) is closed' });
    expect(o.twice).toEqual({ name: 'RangeError', message: 'options.namespaces has two uts namespaces (at 0 and 1)' });
    expect(o.relative.name).toBe('TypeError');
    expect(o.evalOption).toEqual({ name: 'TypeError', message: 'options.eval is not supported: give the code as a module file' });
    expect([o.fdsUnchangedAfterRefusals, o.mainUnchangedAtEnd]).toEqual([true, true]);
  }, 60_000);

  itWith(canBeNobody, 'needs root with setpriv to become uid 65534', "without CAP_SYS_ADMIN the join fails on the worker's thread: its 'error' is the setns EPERM, its module never ran, it exits 1", () => {
    const o = runFixture(SETPRIV_NOBODY, 'pinned-worker.mjs', ['eperm']);
    expect(o.error).toMatchObject({ code: 'EPERM', syscall: 'setns', namespaceType: 'uts' });
    expect(o.error.message).toMatch(/^EPERM: Operation not permitted, setns \(joining the uts namespace \d+\)$/);
    expect([o.exit, o.messages, o.mainUnchanged]).toEqual([1, [], true]);
  });
});
