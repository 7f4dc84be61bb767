/**
 * namespaceWorker(): a worker_threads Worker whose OS thread joins network, UTS, IPC and cgroup
 * namespaces before the user's module runs. Namespaces belong to threads, so the worker's own
 * sockets (socket(2) on its thread), os.hostname() (uname(2)), SysV IPC and /proc/thread-self
 * are the namespaces'; the main thread and every other thread keep theirs.
 *
 * What stays in this process's namespaces: libuv's thread pool, shared by all threads — dns.lookup
 * (getaddrinfo), async fs calls, crypto and zlib work run there; and everything that is per process
 * rather than per thread (the mount table and root, which all Node threads share; pids; credentials).
 */
import { Worker, setEnvironmentData, type WorkerOptions } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { Namespace } from '../namespace.js';
import { kindOf, isNamespaceType, type NamespaceType } from '../kinds.js';
import { checkObject, describe } from '../validate.js';
import { WORKER_PLAN_KEY, type WorkerPlan } from './worker-plan.js';

/** The kinds a thread of a multithreaded process can join, in the order the worker joins them. */
export const WORKER_NAMESPACE_TYPES = ['net', 'uts', 'ipc', 'cgroup'] as const;

/** A namespace kind a worker can be pinned to. */
export type WorkerNamespaceType = (typeof WORKER_NAMESPACE_TYPES)[number];

/** Why the other kinds are refused before any thread starts (the kernel's rule for each). */
const REFUSED: Record<Exclude<NamespaceType, WorkerNamespaceType>, string> = {
  user: 'the kernel refuses setns(CLONE_NEWUSER) in a process with more than one thread (EINVAL), and a Worker is one of several',
  mnt: "the kernel refuses setns(CLONE_NEWNS) to a thread that shares its root and cwd (fs_struct) with other threads (EINVAL), as every Node thread does",
  time: 'the kernel refuses setns(CLONE_NEWTIME) in a process with more than one thread (EUSERS)',
  pid: "setns(CLONE_NEWPID) changes only the namespace of the thread's future children (pid_for_children), never its own: spawn() the code into the pid namespace instead",
};

/** namespaceWorker()'s options: Worker's own options, plus the namespaces to join. */
export interface NamespaceWorkerOptions extends Omit<WorkerOptions, 'eval'> {
  /** The namespaces the worker's thread joins: Namespace handles of kinds net, uts, ipc, cgroup (one of each at most). */
  namespaces: readonly Namespace[];
}

function checkNamespaces(value: unknown): Namespace[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`options.namespaces must be a non-empty array of Namespace handles, got ${describe(value)}`);
  const seen = new Set<NamespaceType>();
  return value.map((ns: unknown, i) => {
    if (!(ns instanceof Namespace)) throw new TypeError(`options.namespaces[${i}] must be a Namespace, got ${describe(ns)}`);
    const type = ns.type;
    if (!isNamespaceType(type) || !(WORKER_NAMESPACE_TYPES as readonly string[]).includes(type)) {
      throw new RangeError(`options.namespaces[${i}] is a ${type} namespace: a worker thread cannot join it: ${REFUSED[type as keyof typeof REFUSED]}`);
    }
    if (seen.has(type)) throw new RangeError(`options.namespaces has two ${type} namespaces (at ${value.findIndex((other: Namespace) => other.type === type)} and ${i})`);
    seen.add(type);
    void ns.fd; // a closed handle throws ERR_NSBRIDGE_CLOSED here, before any thread exists
    return ns;
  });
}

function moduleUrl(filename: unknown): string {
  if (filename instanceof URL) {
    if (filename.protocol !== 'file:') throw new TypeError(`filename must be a file: URL, got ${filename.href}`);
    return filename.href;
  }
  if (typeof filename !== 'string' || filename === '') throw new TypeError(`filename must be a path or a file: URL, got ${describe(filename)}`);
  if (filename.startsWith('file:')) return new URL(filename).href;
  if (!isAbsolute(filename)) throw new TypeError(`filename must be an absolute path or a file: URL (a Worker resolves relative paths against the process's cwd, not the caller's module), got ${describe(filename)}`);
  return pathToFileURL(filename).href;
}

/**
 * A Worker running `filename` (an absolute path or file: URL, ESM or CommonJS) on a thread that
 * first joins `options.namespaces` (net, uts, ipc, cgroup). The worker holds its own handles on
 * them until it exits, so the caller may close its handles at once. If a join fails (EPERM without
 * CAP_SYS_ADMIN over the namespace) the module does not run and the error is the worker's 'error'.
 * user, mnt, time and pid namespaces are refused with a RangeError giving the kernel's reason.
 * Every other option is Worker's (workerData, argv, env, resourceLimits, transferList, …); `eval` is not supported.
 */
export function namespaceWorker(filename: string | URL, options: NamespaceWorkerOptions): Worker {
  const module = moduleUrl(filename);
  const checked = checkObject(options, 'options');
  if ('eval' in checked) throw new TypeError('options.eval is not supported: give the code as a module file');
  const namespaces = checkNamespaces(checked.namespaces);
  const { namespaces: _, ...workerOptions } = options;
  // Our own handles (the same namespace files reopened): valid for the worker's whole life, whatever
  // the caller closes, and closed here when it exits.
  const held: Namespace[] = [];
  try {
    for (const ns of namespaces) held.push(Namespace.open(`/proc/self/fd/${ns.fd}`));
  } catch (error) {
    for (const ns of held) ns.close();
    throw error;
  }
  const plan: WorkerPlan = {
    module,
    joins: held.map((ns) => ({ fd: ns.fd, flag: kindOf(ns.type).flag, type: ns.type, inode: String(ns.inode) })),
  };
  let worker: Worker;
  // environmentData is copied into a Worker when it is constructed: set just for this one.
  setEnvironmentData(WORKER_PLAN_KEY, plan);
  try {
    worker = new Worker(new URL('./worker-entry.js', import.meta.url), workerOptions);
  } catch (error) {
    for (const ns of held) ns.close();
    throw error;
  } finally {
    setEnvironmentData(WORKER_PLAN_KEY, undefined);
  }
  worker.once('exit', () => {
    for (const ns of held) ns.close();
  });
  return worker;
}
