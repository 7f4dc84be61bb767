/**
 * The second stage of normalizeSpawn, the one with kernel state: it opens what the plan refers
 * to (a pidfd for a join target given as a pid, the cgroup directory), resolves the joins against
 * this process's own namespaces, checks the set_tid depth, and asks each option group for its
 * part of the native plan. Every fd it opens is closed by the request's release() — or, if
 * anything here fails, before the error propagates.
 */
import type { NativeSpawnPlan } from '../native/binding.js';
import { addon } from '../native/addon.js';
import { ProcessHandle } from '../process-handle.js';
import { duringStep } from './preparation-failure.js';
import { checkSetTidDepth, resolveJoins } from './join-resolution.js';
import type { SpawnErrorContext } from './spawn-error.js';
import type { Checked } from './options/check.js';
import { namespacePlan, type JoinRequest } from './options/namespaces.js';
import { mountPlan } from './options/mounts.js';
import { userPlan } from './options/user.js';
import { credentialPlan } from './options/credentials.js';
import { stdioPlan } from './options/stdio.js';
import { programPlan } from './options/program.js';

export interface SpawnRequest {
  file: string;
  args: string[];
  plan: NativeSpawnPlan;
  /** per stdio slot as the user asked: 'pipe' slots become streams, others null */
  stdioKinds: ('pipe' | 'fd')[];
  signal: AbortSignal | undefined;
  killSignal: number;
  /** What a SpawnError's hint may refer to (the execve candidates, the persist files, the join target). */
  errorContext: SpawnErrorContext;
  /** close every fd/handle normalizeSpawn opened (target ProcessHandle opened from a pid, /dev/null, cgroup dir, namespace fds of the target). Idempotent. */
  release(): void;
}

/** What the plan builder opened, closed in reverse order by release(). */
class Opened {
  #closers: (() => void)[] = [];

  add(close: () => void): void {
    this.#closers.push(close);
  }

  /** Close everything (idempotent); the first close error, if any, is rethrown after the rest. */
  release(): void {
    let failure: { error: unknown } | undefined;
    for (const close of this.#closers.splice(0).reverse()) {
      try {
        close();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}

/** The join target as a handle: a pid is opened here (step 'setns' if that fails). */
function openTarget(join: JoinRequest | null, opened: Opened): ProcessHandle | null {
  const target = join?.target ?? null;
  if (target === null || target instanceof ProcessHandle) return target;
  const handle = duringStep('setns', () => ProcessHandle.open(target));
  opened.add(() => handle.close());
  return handle;
}

/** The cgroup directory's fd for CLONE_INTO_CGROUP, or -1 (step 'cgroup' if it cannot be opened). */
function openCgroup(path: string | null, opened: Opened): number {
  if (path === null) return -1;
  const owned = duringStep('cgroup', () => addon().openDirectoryPath(path));
  opened.add(() => owned.close());
  return owned.fd;
}

function build(program: { file: string; args: string[] }, checked: Checked, opened: Opened): SpawnRequest {
  const target = openTarget(checked.join, opened);
  const joins = resolveJoins(checked.join, target);
  checkSetTidDepth(checked.setTid, checked.creates.has('pid'), joins);
  const cgroupFd = openCgroup(checked.cgroup, opened);
  const plan: NativeSpawnPlan = {
    ...programPlan(program.args, checked.program),
    ...namespacePlan(checked.creates, joins, checked.pidForChildrenOnly),
    setTid: checked.setTid,
    cgroupFd,
    ...userPlan(checked.user, checked.keepCapabilities),
    ...checked.time,
    ...checked.uts,
    ...checked.proc,
    ...credentialPlan(checked.credentials, joins.kinds.has('user'), checked.preserveCredentials),
    stdio: stdioPlan(checked.stdio),
    pdeathSignal: checked.lifetime.pdeathSignal,
    ...mountPlan(checked.mounts),
    ...checked.network,
  };
  return {
    file: program.file,
    args: program.args,
    plan,
    stdioKinds: checked.stdio.map((slot) => (slot.kind === 'pipe' ? 'pipe' : 'fd')),
    signal: checked.lifetime.signal,
    killSignal: checked.lifetime.killSignal,
    errorContext: {
      paths: checked.program.paths,
      persist: Object.fromEntries(checked.mounts.persist.map((entry) => [entry.type, entry.path])),
      ...(target === null ? {} : { targetPid: target.pid }),
    },
    release: () => opened.release(),
  };
}

/** The request for checked options; if building it fails, what it opened is closed first. */
export function buildPlan(program: { file: string; args: string[] }, checked: Checked): SpawnRequest {
  const opened = new Opened();
  try {
    return build(program, checked, opened);
  } catch (error) {
    try {
      opened.release();
    } catch {
      // The original error matters more than a failed close.
    }
    throw error;
  }
}
