/**
 * The model's task rules on their own (no kernel): clone3, exit and reparenting, pid-namespace
 * init death, signals, wait, pids, pidfds, ns_last_pid, reboot and threads — exact values, errno
 * and the rule that decided each step. The values are the ones the kernel (6.18) gave for the
 * same steps in the catalogue cross-check.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '../src/model/model.js';
import { allRules, ruleById } from '../src/model/rules.js';
import { nextFreePid, RESERVED_PIDS } from '../src/model/pid-tree.js';
import fc from 'fast-check';
import { SIGNALS, type SignalSpec, type Step, type Value } from '../src/model/steps.js';
import { childrenOf } from '../src/model/tasks/family.js';
import type { ModelResult, PidNamespace } from '../src/model/world.js';
import { scenarios as pidNumbering } from '../src/verify/catalogue/pid-numbering.js';
import { scenarios as visibility } from '../src/verify/catalogue/visibility.js';
import { scenarios as orphans } from '../src/verify/catalogue/orphans.js';
import { scenarios as signalScenarios } from '../src/verify/catalogue/signals.js';
import { scenarios as init } from '../src/verify/catalogue/init.js';
import { scenarios as clone3Scenarios } from '../src/verify/catalogue/clone3.js';
import { scenarios as pidfd } from '../src/verify/catalogue/pidfd.js';
import { scenarios as nsLastPid } from '../src/verify/catalogue/ns_last_pid.js';
import { scenarios as reboot } from '../src/verify/catalogue/reboot.js';
import { scenarios as threads } from '../src/verify/catalogue/threads.js';

const MINE = [...pidNumbering, ...visibility, ...orphans, ...signalScenarios, ...init, ...clone3Scenarios, ...pidfd, ...nsLastPid, ...reboot, ...threads];

function run(steps: Step[]): ModelResult[] {
  return new Model().run(steps);
}

/** Each result in short form: the value (ok) or the errno. */
function short(results: ModelResult[]): Array<Value | string | undefined> {
  return results.map((r) => (r.ok ? r.value : r.errno));
}

/** [errno or null, rule] of the last step. */
function lastRule(steps: Step[]): [string | null, string] {
  const r = run(steps).at(-1)!;
  return [r.ok ? null : r.errno, r.rule];
}

const THREAD = ['thread', 'sighand', 'vm'] as const;
const A_IN_NEW_PID: Step = { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] };

describe('the task catalogue', () => {
  it('has at least 65 scenarios, uniquely named, in the right areas, each acting and observing', () => {
    expect(MINE.length).toBeGreaterThanOrEqual(65);
    expect(new Set(MINE.map((s) => s.name)).size).toBe(MINE.length);
    for (const s of MINE) {
      expect(s.name.startsWith(`${s.area}/`)).toBe(true);
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.steps.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('runs on the model without throwing', () => {
    for (const s of MINE) expect(() => run(s.steps), s.name).not.toThrow();
  });

  it('every task rule names its system call, a reason, and its kernel source where the kernel decides', () => {
    const prefixes = ['clone3.', 'exit.', 'kill.', 'signal.', 'sigaction.', 'signals.', 'pidfd_send_signal.', 'pidfd.', 'waitid.', 'getpid.', 'getppid.',
      'proc.', 'pidfd_open.', 'close.', 'open.', 'ns_last_pid.', 'reboot.', 'prctl.'];
    const mine = allRules().filter((r) => prefixes.some((p) => r.id.startsWith(p)));
    expect(mine.length).toBeGreaterThan(60);
    for (const rule of mine) {
      expect(rule.reason.length, rule.id).toBeGreaterThan(15);
      expect(rule.calls.length, rule.id).toBeGreaterThan(0);
      for (const call of rule.calls) expect(call, rule.id).toMatch(/^(\/proc\/<pid>[\w/]*|[a-z_0-9]+)$/);
    }
    // Every failure rule names the kernel source that decides it.
    expect(mine.filter((rule) => rule.errno !== null && !rule.source).map((rule) => rule.id)).toEqual([]);
  });
});

describe('pid numbering', () => {
  it('gives pid 1 to a new namespace\'s first process and a number at every level', () => {
    expect(short(run([A_IN_NEW_PID, { op: 'getpid', proc: 'a' }, { op: 'nspid', proc: 'root', target: 'a' }, { op: 'getppid', proc: 'a' }])))
      .toEqual([3, 1, [3, 1], 0]);
    expect(run([A_IN_NEW_PID])[0]!.rule).toBe('clone3.created-init');
  });

  it('allocates cyclically, not lowest-free', () => {
    const results = run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'readLastPid', proc: 'root' },
    ]);
    expect(short(results)).toEqual([3, undefined, { pid: 3, code: 0 }, 4, 4]);
  });

  it('wraps to RESERVED_PIDS once the cursor is above it, to 1 below it', () => {
    const ns: PidNamespace = { id: 'pid:x', kind: 'pid', owner: null, parent: null, level: 1, pids: new Map([[300, 'a'], [1, 'i']]), cursor: 4_194_304, init: 'i', dead: false, rebootSignal: null, opaque: false };
    expect(nextFreePid(ns)).toBe(301);
    ns.cursor = 250;
    ns.pids.set(250, 'b');
    expect(nextFreePid(ns)).toBe(251);
    expect(RESERVED_PIDS).toBe(300);
  });

  it('refuses the 32nd nested pid namespace below T with ENOSPC', () => {
    const steps: Step[] = [];
    for (let i = 1; i <= 32; i++) steps.push({ op: 'clone3', proc: i === 1 ? 'root' : `p${i - 1}`, child: `p${i}`, namespaces: ['pid'] });
    const results = run(steps);
    expect(results.slice(0, 31).every((r) => r.ok)).toBe(true);
    expect([results[31]!.ok ? null : results[31]!.errno, results[31]!.rule]).toEqual(['ENOSPC', 'create.pid-nesting-limit']);
  });
});

describe('clone3 argument checks', () => {
  const c = (extra: Partial<Extract<Step, { op: 'clone3' }>>): [string | null, string] => lastRule([{ op: 'clone3', proc: 'root', ...extra }]);

  it('checks the struct size first', () => {
    expect(c({ size: 'huge', flags: ['detached'] })).toEqual(['E2BIG', 'clone3.size-over-page']);
    expect(c({ size: 'short' })).toEqual(['EINVAL', 'clone3.size-under-v0']);
    expect(c({ size: 'long-nonzero', exitSignal: 65 })).toEqual(['E2BIG', 'clone3.nonzero-tail']);
    expect(c({ size: 'long-zero', child: 'a' })).toEqual([null, 'clone3.created-process']);
    expect(short(run([{ op: 'clone3', proc: 'root', child: 'a', size: 'v0', setTid: [50] }]))).toEqual([3]);
  });

  it('then set_tid_size, exit_signal, flags, flag combinations', () => {
    expect(c({ setTid: Array.from({ length: 33 }, (_, i) => i + 10) })).toEqual(['EINVAL', 'clone3.set-tid-size-over-max']);
    expect(c({ exitSignal: 65, flags: ['unknown-bit'] })).toEqual(['EINVAL', 'clone3.exit-signal-invalid']);
    expect(c({ exitSignal: -1 })).toEqual(['EINVAL', 'clone3.exit-signal-invalid']);
    expect(c({ flags: ['unknown-bit'] })).toEqual(['EINVAL', 'clone3.unknown-flag']);
    expect(c({ flags: ['detached'] })).toEqual(['EINVAL', 'clone3.detached']);
    expect(c({ flags: ['sighand', 'clear_sighand', 'vm'] })).toEqual(['EINVAL', 'clone3.sighand-and-clear-sighand']);
    expect(c({ flags: [...THREAD], exitSignal: 'SIGCHLD' })).toEqual(['EINVAL', 'clone3.exit-signal-with-thread-or-parent']);
    expect(c({ flags: ['parent'], exitSignal: 17 })).toEqual(['EINVAL', 'clone3.exit-signal-with-thread-or-parent']);
    expect(c({ namespaces: ['mnt'], flags: ['fs'] })).toEqual(['EINVAL', 'clone3.newns-with-fs']);
    expect(c({ namespaces: ['user'], flags: ['fs'] })).toEqual(['EINVAL', 'clone3.newuser-with-fs']);
    expect(c({ flags: ['thread', 'vm'] })).toEqual(['EINVAL', 'clone3.thread-needs-sighand']);
    expect(c({ flags: ['sighand'] })).toEqual(['EINVAL', 'clone3.sighand-needs-vm']);
    expect(c({ flags: [...THREAD], namespaces: ['pid'] })).toEqual(['EINVAL', 'clone3.thread-with-new-user-or-pid']);
    expect(c({ namespaces: ['ipc'], flags: ['sysvsem'] })).toEqual(['EINVAL', 'create.ipc-with-sysvsem']);
    expect(lastRule([{ op: 'clone3', proc: 'init', flags: ['parent'] }])).toEqual(['EINVAL', 'clone3.parent-from-init']);
    expect(lastRule([{ op: 'unshare', proc: 'root', namespaces: ['pid'] }, { op: 'clone3', proc: 'root', flags: [...THREAD] }]))
      .toEqual(['EINVAL', 'clone3.thread-pid-for-children-moved']);
  });

  it('checks set_tid level by level, innermost first', () => {
    expect(c({ setTid: [0] })).toEqual(['EINVAL', 'clone3.set-tid-out-of-range']);
    expect(c({ setTid: [4_194_304] })).toEqual(['EINVAL', 'clone3.set-tid-out-of-range']);
    expect(c({ setTid: [2] })).toEqual(['EEXIST', 'clone3.set-tid-taken']);
    expect(c({ namespaces: ['pid'], setTid: [5] })).toEqual(['EINVAL', 'clone3.set-tid-needs-init-first']);
    expect(c({ setTid: [1, 2, 3] })).toEqual(['EINVAL', 'clone3.set-tid-more-than-levels']);
    expect(short(run([{ op: 'clone3', proc: 'root', child: 'b', namespaces: ['pid'], setTid: [1, 60] }, { op: 'nspid', proc: 'root', target: 'b' }])))
      .toEqual([60, [60, 1]]);
    expect(lastRule([{ op: 'unshare', proc: 'root', namespaces: ['pid'] }, { op: 'clone3', proc: 'root', setTid: [7] }]))
      .toEqual(['EINVAL', 'clone3.set-tid-needs-init-first']);
  });

  it('needs capabilities over each set_tid level (uid 65534: EPERM, except in its own new user namespace)', () => {
    const setup: Step[] = [{ op: 'clone3', proc: 'root', child: 'a' }, { op: 'setuid', proc: 'a', id: 65534 }];
    expect(short(run([
      ...setup,
      { op: 'clone3', proc: 'a', setTid: [50] },
      { op: 'clone3', proc: 'a', child: 'b', namespaces: ['user', 'pid'], setTid: [1] },
      { op: 'clone3', proc: 'a', namespaces: ['user', 'pid'], setTid: [1, 70] },
      { op: 'clone3', proc: 'b', child: 'c', setTid: [7] },
    ]))).toEqual([3, undefined, 'EPERM', 4, 'EPERM', 7]);
  });

  it('gives a CLONE_PARENT child the caller\'s parent and exit signal', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a', exitSignal: 0 },
      { op: 'clone3', proc: 'a', child: 'b', flags: ['parent'] },
      { op: 'getppid', proc: 'b' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'wait', proc: 'root', target: 'b' },
    ]))).toEqual([3, 4, 2, undefined, 'ECHILD']);
  });

  it('gives the pidfd to the caller only, and allows CLONE_PIDFD with CLONE_THREAD', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a', flags: ['pidfd'], pidfd: 'h' },
      { op: 'pidfdSendSignal', proc: 'a', fd: 'h', signal: 0 },
      { op: 'clone3', proc: 'root', child: 't', flags: [...THREAD, 'pidfd'], pidfd: 't' },
      { op: 'pidfdSendSignal', proc: 'root', fd: 't', signal: 0 },
    ]))).toEqual([3, 'EBADF', 4, undefined]);
  });
});

describe('exit, orphans, and the death of a pid namespace', () => {
  it('reparents orphans to the nearest living subreaper in the same namespace, else to its init', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'setSubreaper', proc: 'a' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'setSubreaper', proc: 'b' },
      { op: 'clone3', proc: 'b', child: 'c' },
      { op: 'clone3', proc: 'c', child: 'd' },
      { op: 'exit', proc: 'c', code: 0 },
      { op: 'getppid', proc: 'd' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'getppid', proc: 'd' },
    ])).slice(-3)).toEqual([4, undefined, 3]);
    expect(short(run([
      { op: 'setSubreaper', proc: 'root' },
      A_IN_NEW_PID,
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'b', child: 'c' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'getppid', proc: 'c' },
    ])).at(-1)).toBe(1);
  });

  it('resets an orphan\'s exit signal to SIGCHLD', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 'b', exitSignal: 'SIGUSR1' },
      { op: 'wait', proc: 'a', target: 'b' },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'exit', proc: 'b', code: 4 },
      { op: 'wait', proc: 'init', target: 'b' },
    ])).slice(2)).toEqual(['ECHILD', undefined, undefined, { pid: 4, code: 4 }]);
  });

  it('kills the namespace with its init and then refuses new members with ENOMEM, moving T\'s cursor anyway', () => {
    const results = run([
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGKILL' },
      { op: 'state', target: 'a' },
      { op: 'state', target: 'b' },
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'c' },
      { op: 'readLastPid', proc: 'root' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'wait', proc: 'root', target: 'b' },
      { op: 'state', target: 'a' },
      { op: 'wait', proc: 'root', target: 'a' },
    ]);
    expect(short(results)).toEqual([undefined, 3, 4, undefined, 'running', 'zombie', 4, 'ENOMEM', 5, null, { pid: 4, signal: 9 }, 'zombie', { pid: 3, signal: 9 }]);
    expect(results[3]!.rule).toBe('signal.init-forced-from-ancestor');
    expect(results[7]!.rule).toBe('clone3.pid-namespace-dead');
  });

  it('lets a zombie init hold pid 1 (EEXIST) before the namespace\'s death gives ENOMEM', () => {
    expect(short(run([
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'clone3', proc: 'root', setTid: [1] },
      { op: 'clone3', proc: 'root', setTid: [5] },
    ])).slice(3)).toEqual(['EEXIST', 'ENOMEM']);
  });

  it('reaps the dead namespace\'s zombies and kills nested namespaces too', () => {
    expect(short(run([
      A_IN_NEW_PID,
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'b', child: 'c', namespaces: ['pid'] },
      { op: 'exit', proc: 'b', code: 1 },
      { op: 'exit', proc: 'a', code: 9 },
      { op: 'state', target: 'b' },
      { op: 'state', target: 'c' },
      { op: 'wait', proc: 'root', target: 'a' },
    ])).slice(5)).toEqual(['gone', 'gone', { pid: 3, code: 9 }]);
  });
});

describe('signals', () => {
  it('protects an init from unhandled signals, except SIGKILL/SIGSTOP from an ancestor namespace', () => {
    const results = run([
      A_IN_NEW_PID,
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'kill', proc: 'b', target: { pid: 1 }, signal: 'SIGKILL' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGTERM' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGSTOP' },
      { op: 'state', target: 'a' },
    ]);
    expect(results.slice(2).map((r) => r.rule)).toEqual(['signal.init-protected', 'signal.init-protected', 'signal.init-forced-from-ancestor', 'proc.state']);
    expect(results.at(-1)).toMatchObject({ ok: true, value: 'stopped' });
  });

  it('gives si_pid in the receiver\'s namespace, 0 from an ancestor', () => {
    expect(short(run([
      A_IN_NEW_PID,
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'handle', proc: 'b', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'root', target: 'b', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'a', target: 'b', signal: 'SIGUSR1' },
      { op: 'signals', proc: 'b' },
      { op: 'signals', proc: 'b' },
    ])).slice(-2)).toEqual([[{ signal: 10, fromPid: 0 }, { signal: 10, fromPid: 1 }], []]);
  });

  it('checks the target before the signal number, then the uid', () => {
    expect(lastRule([{ op: 'kill', proc: 'root', target: { pid: 999 }, signal: 99 }])).toEqual(['ESRCH', 'kill.no-such-process']);
    expect(lastRule([{ op: 'kill', proc: 'root', target: 'init', signal: 65 }])).toEqual(['EINVAL', 'signal.invalid-number']);
    expect(lastRule([{ op: 'clone3', proc: 'root', child: 'a' }, { op: 'setuid', proc: 'a', id: 65534 }, { op: 'kill', proc: 'a', target: 'root', signal: 0 }]))
      .toEqual(['EPERM', 'signal.no-permission']);
    expect(lastRule([{ op: 'clone3', proc: 'root', child: 'a' }, { op: 'setuid', proc: 'a', id: 65534 }, { op: 'kill', proc: 'a', target: 'root', signal: 'SIGCONT' }]))
      .toEqual([null, 'signal.default-ignore']);
  });

  it('holds every signal but SIGKILL while stopped; on SIGCONT a fatal one kills, handlers run highest first', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'handle', proc: 'a', signal: 'SIGUSR2' },
      { op: 'handle', proc: 'a', signal: 'SIGHUP' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGSTOP' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGUSR2' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGHUP' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGCONT' },
      { op: 'signals', proc: 'a' },
    ])).at(-1)).toEqual([{ signal: 12, fromPid: 2 }, { signal: 1, fromPid: 2 }]);
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGSTOP' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGTERM' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGCONT' },
      { op: 'wait', proc: 'root', target: 'a' },
    ])).slice(3)).toEqual([null, undefined, { pid: 3, signal: 15 }]);
  });

  it('sends the exit signal to the parent: handled with the child\'s pid, or fatal to it', () => {
    expect(short(run([
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'root', child: 'a', exitSignal: 'SIGUSR1' },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'signals', proc: 'root' },
      { op: 'wait', proc: 'root' },
    ])).slice(3)).toEqual([[{ signal: 10, fromPid: 3 }], 'ECHILD']);
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 'b', exitSignal: 'SIGUSR1' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'wait', proc: 'init', target: 'b' },
    ])).slice(3)).toEqual([{ pid: 3, signal: 10 }, { pid: 4, code: 0 }]);
  });

  it('kill(-1) skips the namespace\'s init and the caller; ESRCH when nobody is left', () => {
    const results = run([
      A_IN_NEW_PID,
      { op: 'kill', proc: 'a', target: { pid: -1 }, signal: 'SIGTERM' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'kill', proc: 'a', target: { pid: -1 }, signal: 'SIGTERM' },
      { op: 'wait', proc: 'a' },
    ]);
    expect(short(results)).toEqual([3, 'ESRCH', 2, undefined, { pid: 2, signal: 15 }]);
    expect(results[1]!.rule).toBe('kill.all-none');
  });

  it('refuses handlers for SIGKILL and SIGSTOP', () => {
    expect(lastRule([{ op: 'handle', proc: 'root', signal: 'SIGKILL' }])).toEqual(['EINVAL', 'sigaction.uncatchable']);
    expect(lastRule([{ op: 'handle', proc: 'root', signal: 'SIGSTOP' }])).toEqual(['EINVAL', 'sigaction.uncatchable']);
  });
});

describe('wait', () => {
  it('distinguishes no child, a clone child, a running child and a zombie', () => {
    expect(lastRule([{ op: 'wait', proc: 'root' }])).toEqual(['ECHILD', 'waitid.no-child']);
    expect(lastRule([{ op: 'wait', proc: 'root', target: { pid: 0 } }])).toEqual(['EINVAL', 'waitid.invalid-pid']);
    expect(lastRule([{ op: 'clone3', proc: 'root', child: 'a', exitSignal: 0 }, { op: 'wait', proc: 'root' }])).toEqual(['ECHILD', 'waitid.clone-child']);
    expect(lastRule([{ op: 'clone3', proc: 'root', child: 'a' }, { op: 'wait', proc: 'root' }])).toEqual([null, 'waitid.none-exited']);
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'exit', proc: 'b', code: 2 },
      { op: 'exit', proc: 'a', code: 1 },
      { op: 'wait', proc: 'root' },
      { op: 'wait', proc: 'root' },
    ])).slice(4)).toEqual([{ pid: 3, code: 1 }, { pid: 4, code: 2 }]);
  });

  it('waits through a pidfd for the caller\'s own child only', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'pidfdOpen', proc: 'root', as: 'ha', target: 'a' },
      { op: 'pidfdOpen', proc: 'root', as: 'hb', target: 'b' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'wait', proc: 'root', fd: 'hb' },
      { op: 'wait', proc: 'root', fd: 'ha' },
      { op: 'wait', proc: 'root', fd: 'ha' },
      { op: 'wait', proc: 'root', fd: 'closed' },
    ])).slice(6)).toEqual(['ECHILD', { pid: 3, code: 0 }, 'ECHILD', 'EBADF']);
  });
});

describe('wait P_ALL through the family index (issue 13)', () => {
  it('reaps in list order: the parent\'s own children first, then orphans in the order they were reparented', () => {
    expect(short(run([
      { op: 'setSubreaper', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'handle', proc: 'a', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'a', child: 'a1' },
      { op: 'clone3', proc: 'a', child: 'a2', exitSignal: 'SIGUSR1' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'exit', proc: 'a2', code: 12 }, // a clone child of a: not waitable by a, but by root once reparented
      { op: 'exit', proc: 'a1', code: 11 },
      { op: 'exit', proc: 'b', code: 3 },
      { op: 'exit', proc: 'a', code: 1 }, // a1 and a2 go to root (a subreaper), after a and b
      { op: 'wait', proc: 'root' },
      { op: 'wait', proc: 'root' },
      { op: 'wait', proc: 'root' },
      { op: 'wait', proc: 'root' },
      { op: 'wait', proc: 'root' },
    ])).slice(10)).toEqual([{ pid: 3, code: 1 }, { pid: 6, code: 3 }, { pid: 4, code: 11 }, { pid: 5, code: 12 }, 'ECHILD']);
  });

  it('stays right after many zombies were reaped by pid (their stale heap entries compacted away)', () => {
    const steps: Step[] = [{ op: 'clone3', proc: 'root', child: 'keep' }];
    for (let i = 0; i < 100; i++) steps.push({ op: 'clone3', proc: 'root', child: `z${i}` }, { op: 'exit', proc: `z${i}`, code: i }, { op: 'wait', proc: 'root', target: `z${i}` });
    steps.push({ op: 'wait', proc: 'root' }, { op: 'clone3', proc: 'root', child: 'late' }, { op: 'exit', proc: 'late', code: 7 }, { op: 'exit', proc: 'keep', code: 5 }, { op: 'wait', proc: 'root' }, { op: 'wait', proc: 'root' }, { op: 'wait', proc: 'root' });
    const results = short(run(steps));
    expect(results.filter((_, i) => steps[i]!.op === 'wait' && (steps[i] as { target?: string }).target !== undefined)).toEqual(Array.from({ length: 100 }, (_, i) => ({ pid: 4 + i, code: i })));
    expect(results.slice(-7)).toEqual([null, 104, undefined, undefined, { pid: 3, code: 5 }, { pid: 104, code: 7 }, 'ECHILD']);
  });

  it('agrees with a walk over the children on 500 random process trees, P_PID waits among them', () => {
    // The reference is what wait did before the index: the parent's children in list order,
    // ECHILD without any, ECHILD (clone child) without a SIGCHLD one, the first such zombie.
    const reference = (model: Model, parent: string): string => {
      const children = childrenOf(model.world, parent).map((name) => model.world.processes.get(name)!);
      if (children.length === 0) return 'waitid.no-child';
      const waitable = children.filter((c) => c.exitSignal === SIGNALS.SIGCHLD);
      if (waitable.length === 0) return 'waitid.clone-child';
      return waitable.find((c) => c.state === 'zombie')?.name ?? 'none';
    };
    const action = fc.record({ kind: fc.constantFrom('clone3', 'clone3', 'exit', 'wait', 'wait', 'waitpid', 'subreaper'), who: fc.nat(), signal: fc.constantFrom<SignalSpec>('SIGCHLD', 'SIGCHLD', 'SIGUSR1', 0), pidns: fc.boolean() });
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 150 }), (actions) => {
        const model = new Model();
        const names = ['root'];
        let waits = 0;
        actions.forEach((a, i) => {
          const proc = names[a.who % names.length]!;
          const caller = model.world.processes.get(proc)!;
          if (caller.state !== 'running') return;
          if (a.kind === 'clone3') {
            const r = model.apply({ op: 'clone3', proc, child: `p${i}`, exitSignal: a.signal, namespaces: a.pidns ? ['pid'] : [] });
            if (r.ok) names.push(`p${i}`);
          } else if (a.kind === 'exit') {
            if (proc !== 'root') model.apply({ op: 'exit', proc, code: i & 0xff });
          } else if (a.kind === 'subreaper') {
            model.apply({ op: 'setSubreaper', proc });
          } else if (a.kind === 'waitpid') {
            // P_PID reaps behind the index's back: its heap keeps a stale entry (and compacts).
            model.apply({ op: 'wait', proc, target: names[(a.who >> 3) % names.length]! });
          } else {
            const expected = reference(model, proc);
            const pidOfExpected = expected.startsWith('waitid.') || expected === 'none' ? null : model.world.processes.get(expected)!;
            const r = model.apply({ op: 'wait', proc });
            waits++;
            if (expected.startsWith('waitid.')) expect(r).toMatchObject({ ok: false, errno: 'ECHILD', rule: expected });
            else if (expected === 'none') expect(r).toMatchObject({ ok: true, value: null });
            else expect([r.ok, pidOfExpected!.state]).toEqual([true, 'reaped']);
          }
        });
        return waits >= 0;
      }),
      { seed: 13, numRuns: 500 },
    );
  });
});

describe('pidfd_open and pidfd_send_signal', () => {
  it('checks flags, then the pid, then visibility, then thread-ness (ENOENT on 6.18)', () => {
    const open = (target: Extract<Step, { op: 'pidfdOpen' }>['target'], flags?: Array<'thread' | 'nonblock' | 'unknown-bit'>): [string | null, string] =>
      lastRule([{ op: 'clone3', proc: 'root', child: 't', flags: [...THREAD] }, { op: 'pidfdOpen', proc: 'root', as: 'h', target, ...(flags ? { flags } : {}) }]);
    expect(open({ pid: 0 }, ['unknown-bit'])).toEqual(['EINVAL', 'pidfd_open.unknown-flag']);
    expect(open({ pid: 0 })).toEqual(['EINVAL', 'pidfd_open.bad-pid']);
    expect(open({ pid: 999 })).toEqual(['ESRCH', 'pidfd_open.no-such-process']);
    expect(open('t')).toEqual(['ENOENT', 'pidfd_open.thread-without-flag']);
    expect(open('t', ['thread'])).toEqual([null, 'pidfd_open.opened']);
    expect(ruleById('pidfd_open.thread-without-flag')?.source).toContain('EINVAL');
  });

  it('works for a zombie, gives ESRCH once reaped, EINVAL for an ancestor namespace\'s process', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'exit', proc: 'a', code: 1 },
      { op: 'pidfdOpen', proc: 'root', as: 'h', target: 'a' },
      { op: 'pidfdSendSignal', proc: 'root', fd: 'h', signal: 'SIGKILL' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'pidfdOpen', proc: 'root', as: 'h2', target: 'a' },
      { op: 'pidfdSendSignal', proc: 'root', fd: 'h', signal: 99 },
    ])).slice(3)).toEqual([undefined, { pid: 3, code: 1 }, 'ESRCH', 'ESRCH']);
    expect(lastRule([
      { op: 'pidfdOpen', proc: 'root', as: 'h', target: 'root' },
      A_IN_NEW_PID,
      { op: 'pidfdSendSignal', proc: 'a', fd: 'h', signal: 0 },
    ])).toEqual(['EINVAL', 'pidfd_send_signal.outside-namespace']);
    expect(lastRule([{ op: 'openNull', proc: 'root', as: 'n' }, { op: 'pidfdSendSignal', proc: 'root', fd: 'n', signal: 0 }])).toEqual(['EBADF', 'pidfd.not-a-pidfd']);
  });
});

describe('ns_last_pid', () => {
  it('reads the cursor - 1 of the caller\'s namespace, -1 when only set_tid allocated there', () => {
    expect(short(run([
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'], setTid: [1] },
      { op: 'readLastPid', proc: 'a' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'readLastPid', proc: 'a' },
    ]))).toEqual([2, 3, -1, 2, 2]);
  });

  it('checks the capability before the range', () => {
    expect(lastRule([{ op: 'clone3', proc: 'root', child: 'a' }, { op: 'setuid', proc: 'a', id: 65534 }, { op: 'writeLastPid', proc: 'a', value: -1 }]))
      .toEqual(['EPERM', 'ns_last_pid.write-needs-cap']);
    expect(lastRule([{ op: 'writeLastPid', proc: 'root', value: -1 }])).toEqual(['EINVAL', 'ns_last_pid.out-of-range']);
    expect(lastRule([{ op: 'writeLastPid', proc: 'root', value: 4_194_305 }])).toEqual(['EINVAL', 'ns_last_pid.out-of-range']);
    expect(short(run([{ op: 'writeLastPid', proc: 'root', value: 99 }, { op: 'clone3', proc: 'root', child: 'a' }]))).toEqual([undefined, 100]);
  });
});

describe('reboot in a child pid namespace', () => {
  it('kills the init with SIGHUP (restart) or SIGINT (power off, halt); the caller exits 0', () => {
    expect(short(run([
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'reboot', proc: 'b', cmd: 'restart' },
      { op: 'wait', proc: 'root', target: 'b' },
      { op: 'wait', proc: 'root', target: 'a' },
    ])).slice(3)).toEqual([undefined, { pid: 4, code: 0 }, { pid: 3, signal: 1 }]);
    expect(short(run([A_IN_NEW_PID, { op: 'reboot', proc: 'a', cmd: 'halt' }, { op: 'wait', proc: 'root', target: 'a' }])).at(-1)).toEqual({ pid: 3, signal: 2 });
  });

  it('checks CAP_SYS_BOOT before the magic, and refuses other commands', () => {
    const setup: Step[] = [A_IN_NEW_PID, { op: 'clone3', proc: 'a', child: 'b' }, { op: 'setuid', proc: 'b', id: 65534 }];
    expect(lastRule([...setup, { op: 'reboot', proc: 'b', cmd: 'bad-magic' }])).toEqual(['EPERM', 'reboot.needs-cap-sys-boot']);
    expect(lastRule([A_IN_NEW_PID, { op: 'reboot', proc: 'a', cmd: 'bad-magic' }])).toEqual(['EINVAL', 'reboot.bad-magic']);
    expect(lastRule([A_IN_NEW_PID, { op: 'reboot', proc: 'a', cmd: 'cad_on' }])).toEqual(['EINVAL', 'reboot.command-in-child-pid-namespace']);
  });
});

describe('threads', () => {
  it('take a pid at every level and are found by name', () => {
    expect(short(run([
      A_IN_NEW_PID,
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'nspid', proc: 'root', target: 't' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'kill', proc: 'root', target: 't', signal: 0 },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'state', target: 't' },
      { op: 'nspid', proc: 'root', target: 't' },
    ]))).toEqual([3, 2, [4, 2], 3, undefined, undefined, 'gone', 'ENOENT']);
  });

  it('cannot be waited for and signal their process', () => {
    expect(short(run([
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'handle', proc: 'a', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'kill', proc: 'root', target: 't', signal: 'SIGUSR1' },
      { op: 'signals', proc: 'a' },
      { op: 'wait', proc: 'root', target: 't' },
    ])).slice(4)).toEqual([[{ signal: 10, fromPid: 2 }], 'ECHILD']);
  });

  it('sleepers (CLONE_VM) run no steps, inherit handlers and record nothing', () => {
    expect(short(run([
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'getpid', proc: 's' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGUSR1' },
      { op: 'state', target: 's' },
      { op: 'signals', proc: 'root' },
    ])).slice(2)).toEqual(['ESRCH', undefined, 'running', []]);
  });

  it('have an nsproxy of their own: new kinds from clone3, kept across the process\'s unshare, joined through their pidfd', () => {
    const results = run([
      { op: 'clone3', proc: 'root', child: 't', namespaces: ['mnt', 'time'], flags: [...THREAD, 'pidfd'], pidfd: 'h' },
      { op: 'unshare', proc: 'root', namespaces: ['uts'] },
      { op: 'nsId', proc: 'root', entry: 'mnt' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'mnt' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'time' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'time_for_children' },
      { op: 'nsId', proc: 'root', entry: 'time' },
      { op: 'setns', proc: 'root', fd: 'h', namespaces: ['mnt', 'uts'] },
      { op: 'nsId', proc: 'root', entry: 'mnt' },
      { op: 'nsId', proc: 'root', entry: 'uts' },
      { op: 'nsId', proc: 'init', entry: 'uts' },
    ]);
    const [, , rootMnt, threadMnt, threadTime, threadTimeForChildren, rootTime, joined, mntAfter, utsAfter, initUts] = short(results);
    expect(threadMnt).not.toEqual(rootMnt);
    expect(threadTime).toEqual(rootTime);
    expect(threadTimeForChildren).not.toEqual(rootTime);
    expect(joined).toBeUndefined();
    expect(results[7]!.rule).toBe('setns.joined');
    expect(mntAfter).toEqual(threadMnt);
    expect(utsAfter).toEqual(initUts);
  });
});
