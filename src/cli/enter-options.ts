/**
 * `nsbridge enter` flags → spawn() options, with nsenter(1)'s rules: a bare kind flag joins the
 * target's namespace of that kind (and wins over a --kind=FILE of the same kind); --kind=FILE
 * joins the namespace file, no target needed; --root / --wd name directories opened here, before
 * any join (bare: the target's root / cwd); --wdns is a path inside; --no-fork leaves the program
 * out of a joined pid namespace.
 */
import { closeSync, constants, openSync } from '../sync-fs.js';
import { Namespace } from '../namespace.js';
import type { NamespaceType } from '../kinds.js';
import type { JoinOptions, SpawnOptions } from '../spawn/options.js';
import { KIND_FLAGS, type KindFlagValues } from './kind-flags.js';
import { UsageError } from './run-options.js';

export interface EnterFlags extends KindFlagValues {
  target?: number;
  all?: boolean;
  setuid?: number;
  setgid?: number;
  preserveCredentials?: boolean;
  root?: string | true;
  wd?: string | true;
  wdns?: string;
  noFork?: boolean;
}

/** The spawn options, and the fds opened for them (closed by release() once the program started). */
export interface EnterPlan {
  options: SpawnOptions;
  release(): void;
}

/** Opens a directory here, before the joins (nsenter's -r / -w), or a target's /proc link to one. */
function openDirectory(path: string, flag: string): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw new UsageError(`${flag}: cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function enterPlan(flags: EnterFlags): EnterPlan {
  const opened: (() => void)[] = [];
  const release = (): void => {
    for (const close of opened.splice(0).reverse()) close();
  };
  try {
    return { options: enterOptions(flags, opened), release };
  } catch (error) {
    release();
    throw error;
  }
}

function enterOptions(flags: EnterFlags, opened: (() => void)[]): SpawnOptions {
  const target = flags.target;
  const needsTarget = (what: string): number => {
    if (target === undefined) throw new UsageError(`neither a file nor a target pid (-t) given for ${what}`);
    return target;
  };
  if (flags.all) needsTarget('--all');
  const kinds: NamespaceType[] = [];
  const join: JoinOptions = {};
  for (const { key, long, type } of KIND_FLAGS) {
    const value = flags[key];
    if (value === true) {
      needsTarget(long);
      kinds.push(type);
    } else if (typeof value === 'string') {
      let ns: Namespace;
      try {
        ns = Namespace.open(value);
      } catch (error) {
        throw new UsageError(`${long}=${value}: ${(error as Error).message}`);
      }
      opened.push(() => ns.close());
      if (ns.type !== type) throw new UsageError(`${long}=${value}: that is a ${ns.type} namespace, not a ${type} namespace`);
      join[type] = ns;
    }
  }
  const files = KIND_FLAGS.filter(({ key }) => typeof flags[key] === 'string').map(({ type }) => type);
  if (!flags.all && kinds.length === 0 && files.length === 0) {
    throw new UsageError('give --all or at least one namespace flag (--pid, --net, --mount, --uts, --ipc, --user, --cgroup, --time)');
  }
  if (target !== undefined) {
    join.target = target;
    // --all: every kind of the target without a file of its own ('all' would refuse kinds this
    // kernel lacks; leaving kinds out joins every kind there is and skips the handles' kinds).
    if (!flags.all) join.kinds = kinds;
  }
  const joined = (type: NamespaceType): boolean => flags.all === true || kinds.includes(type) || files.includes(type);

  if (flags.wd !== undefined && flags.wdns !== undefined) throw new UsageError('options --wd and --wdns cannot be used together: both set the working directory');
  let root: SpawnOptions['root'];
  if (flags.root !== undefined) {
    const fd = openDirectory(flags.root === true ? `/proc/${needsTarget('--root')}/root` : flags.root, '--root');
    opened.push(() => closeSync(fd));
    root = { fd };
  }
  let cwd: SpawnOptions['cwd'];
  if (flags.wd !== undefined) {
    const fd = openDirectory(flags.wd === true ? `/proc/${needsTarget('--wd')}/cwd` : flags.wd, '--wd');
    opened.push(() => closeSync(fd));
    cwd = { fd };
  } else if (flags.wdns !== undefined) {
    cwd = flags.wdns;
  } else if (root !== undefined && !joined('mnt')) {
    // nsenter keeps the working directory across --root (it may lie outside the new root).
    const fd = openDirectory('.', '--root');
    opened.push(() => closeSync(fd));
    cwd = { fd };
  }
  return {
    join,
    ...(root === undefined ? {} : { root }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(flags.setuid === undefined ? {} : { uid: flags.setuid }),
    ...(flags.setgid === undefined ? {} : { gid: flags.setgid }),
    ...(flags.preserveCredentials && joined('user') ? { preserveCredentials: true } : {}),
    ...(flags.noFork && joined('pid') ? { pidForChildrenOnly: true } : {}),
  };
}
