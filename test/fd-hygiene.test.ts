import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Namespace, ProcessHandle, probe } from '../src/index.js';
import { itWith } from './helpers/features.js';
import { openFds, repoRoot, runFixture } from './helpers/processes.js';

// ProcessHandle.namespace() is PIDFD_GET_<KIND>_NAMESPACE (Linux 6.11).
const { pidfdNamespaces } = probe().features;
const PIDFD_NS = `needs PIDFD_GET_<KIND>_NAMESPACE (${pidfdNamespaces.detail})`;

describe('fd hygiene', () => {
  itWith(pidfdNamespaces.supported, PIDFD_NS, '10,000 open/close cycles of Namespace and ProcessHandle leave the fd set unchanged', () => {
    const before = openFds();
    for (let i = 0; i < 10_000; i++) {
      const ns = Namespace.of('self', i % 2 ? 'net' : 'pid');
      void ns.inode;
      ns.close();
      const handle = ProcessHandle.open(process.pid);
      using _viaPidfd = handle.namespace('uts');
      handle.close();
    }
    expect(openFds()).toEqual(before);
  });

  itWith(pidfdNamespaces.supported, PIDFD_NS, 'every fd the addon creates is close-on-exec', () => {
    using ns = Namespace.of('self', 'net');
    using pid = Namespace.of('self', 'pid');
    using owner = pid.owner();
    using handle = ProcessHandle.open(process.pid);
    using viaPidfd = handle.namespace('net');
    for (const fd of [ns.fd, owner!.fd, handle.fd, viaPidfd.fd]) {
      const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!;
      // O_CLOEXEC is 0o2000000 in the octal flags of /proc/self/fdinfo.
      expect(Number.parseInt(flags, 8) & 0o2000000, `fd ${fd}`).toBe(0o2000000);
    }
  });

  it('handles dropped without close() are closed by the finalizer (child process, --expose-gc)', () => {
    const result = spawnSync(process.execPath, ['--expose-gc', 'test/fixtures/finalizer.mjs'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result.stderr).toBe('');
    const { before, during, leaked } = JSON.parse(result.stdout) as { before: number; during: number; leaked: string[] };
    expect(during - before).toBe(3000);
    expect(leaked).toEqual([]);
  });

  it('a worker thread that exits with handles and exit watchers open leaks nothing and does not crash', () => {
    const result = spawnSync(process.execPath, ['test/fixtures/worker-teardown.mjs'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { before: number; inWorker: number; leaked: string[]; childExit: unknown };
    expect(report.inWorker).toBeGreaterThanOrEqual(report.before + 101);
    expect(report.leaked).toEqual([]);
    expect(report.childExit).toEqual([null, 'SIGKILL']);
  });

  // The documented policy (README, "Worker threads"): children spawned without killOnParentDeath
  // outlive their worker, like child_process children, and are still reaped when they exit (the
  // worker's teardown, or close() of a running child's handle, hands the pidfd to one
  // process-wide reaper thread); children with killOnParentDeath die with the worker, and are
  // reaped too.
  const endings = {
    exit: { how: 'exits', workerExit: 7 }, // process.exit(7) in the worker
    terminate: { how: 'is terminated', workerExit: 1 }, // worker.terminate() makes it 1
    close: { how: 'closes their handles and ends', workerExit: 0 },
  } as const;
  for (const [mode, { how, workerExit }] of Object.entries(endings)) {
    it(`a worker that ${how} with children running: they outlive it, are reaped when they exit, nothing leaks`, () => {
      const report = runFixture([], 'worker-children-outlive.mjs', [mode]) as {
        pid: number;
        workerExit: number;
        outliving: { afterWorker: { state: string | null; ppid: number | null }[]; reapedAfterKill: boolean[] };
        dyingWithIt: { reaped: boolean[] };
        zombies: number[];
        added: string[];
        reaperThreads: number;
      };
      expect(report.workerExit).toBe(workerExit);
      // Still running (sleeping), still children of the fixture process.
      expect(report.outliving.afterWorker).toEqual(Array(10).fill({ state: 'S', ppid: report.pid }));
      expect(report.outliving.reapedAfterKill).toEqual(Array(10).fill(true));
      expect(report.dyingWithIt.reaped).toEqual([true, true, true]);
      expect(report.zombies).toEqual([]);
      // Every pidfd is closed; what remains is the reaper's epoll instance, which lives with the process.
      expect(report.added).toHaveLength(1);
      expect(report.added[0]).toMatch(/^\d+>anon_inode:\[eventpoll\]$/);
      expect(report.reaperThreads).toBe(1);
    });
  }
});
