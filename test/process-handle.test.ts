import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { Namespace, ProcessHandle, probe } from '../src/index.js';
import { hasCommands, isRoot, itWith } from './helpers/features.js';
import { PARK, park, stopAll } from './helpers/processes.js';

afterAll(stopAll);

function exitEvent(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
}

describe('ProcessHandle.exited()', () => {
  it('resolves with the right code or signal for 40 child_process children, whose own exit events still arrive', async () => {
    // pidfd_open right after spawn, in the same tick: libuv reaps only on a later loop turn, so
    // even a child that already exited is still there (a zombie) to be opened.
    const children = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 3 ? spawn('sleep', ['1000']) : spawn('sh', ['-c', i % 4 === 2 ? 'kill -TERM $$' : `exit ${i}`]),
    );
    const handles = children.map((child) => ProcessHandle.open(child.pid!));
    const events = children.map(exitEvent);
    const exits = handles.map((handle) => handle.exited());
    handles.forEach((handle, i) => {
      if (i % 4 === 3) handle.signal('SIGKILL');
    });
    const results = await Promise.all(exits);
    const eventResults = await Promise.all(events);
    results.forEach((result, i) => {
      const expected = i % 4 === 3 ? { code: null, signal: 'SIGKILL' } : i % 4 === 2 ? { code: null, signal: 'SIGTERM' } : { code: i, signal: null };
      expect(result, `child ${i}`).toEqual(expected);
      expect(eventResults[i], `child_process event ${i}`).toEqual([expected.code, expected.signal]);
    });
    for (const handle of handles) handle.close();
  });

  it('exited() is memoised and resolves for a process that exited before it was called', async () => {
    const child = spawn('sh', ['-c', 'exit 3']);
    using handle = ProcessHandle.open(child.pid!);
    await exitEvent(child);
    const first = handle.exited();
    expect(handle.exited()).toBe(first);
    expect(await first).toEqual({ code: 3, signal: null });
  });

  it('a grandchild (not our child) is observed through PIDFD_GET_INFO after its parent reaps it', async () => {
    const parked = await park(['sh', '-c', `${PARK.map((a) => `'${a}'`).join(' ')} & wait`]);
    try {
      using handle = ProcessHandle.open(parked.pid);
      expect(parked.pid).not.toBe(parked.launcher.pid);
      const exited = handle.exited();
      handle.signal('SIGKILL');
      expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      await parked.stop();
    }
  });

  it('close() while waiting rejects the pending exited() with ERR_NSBRIDGE_CLOSED', async () => {
    const child = spawn('sleep', ['1000']);
    const handle = ProcessHandle.open(child.pid!);
    const exited = handle.exited();
    handle.close();
    await expect(exited).rejects.toMatchObject({ code: 'ERR_NSBRIDGE_CLOSED' });
    child.kill('SIGKILL');
    expect(await exitEvent(child)).toEqual([null, 'SIGKILL']);
  });
});

describe('ProcessHandle basics', () => {
  it('signal() accepts names and numbers, and validates them', async () => {
    const child = spawn('sleep', ['1000']);
    using handle = ProcessHandle.open(child.pid!);
    handle.signal(0);
    expect(() => handle.signal('SIGNOPE')).toThrow(TypeError);
    expect(() => handle.signal('SIGNOPE')).toThrow(/"SIGNOPE"/);
    expect(() => handle.signal(65)).toThrow(RangeError);
    handle.signal('TERM');
    expect(await exitEvent(child)).toEqual([null, 'SIGTERM']);
  });

  itWith(isRoot && hasCommands('unshare') && probe().features.pidfdNamespaces.supported, 'needs root, unshare and PIDFD_GET_<KIND>_NAMESPACE (Linux 6.11)', 'namespace() through the pidfd equals Namespace.of through /proc', async () => {
    const parked = await park(['unshare', '--user', '--map-root-user', '--net', '--uts', ...PARK]);
    try {
      using handle = ProcessHandle.open(parked.pid);
      for (const type of ['net', 'uts', 'user', 'mnt'] as const) {
        using viaPidfd = handle.namespace(type);
        using viaProc = Namespace.of(parked.pid, type);
        expect(viaPidfd.equals(viaProc)).toBe(true);
      }
      using net = handle.namespace('net');
      using myNet = Namespace.of('self', 'net');
      expect(net.equals(myNet)).toBe(false);
      using mnt = handle.namespace('mnt');
      using myMnt = Namespace.of('self', 'mnt');
      expect(mnt.equals(myMnt)).toBe(true);
    } finally {
      await parked.stop();
    }
  });

  it('nspid() of this process is its own pid only', () => {
    using self = ProcessHandle.open(process.pid);
    expect(self.nspid()).toEqual([process.pid]);
  });
});
