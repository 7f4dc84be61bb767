/**
 * What `nsbridge run` and `nsbridge enter` share: start the program with spawn() on our own
 * stdio, forward the terminal's signals to it, wait, and turn how it ended into our exit code.
 *
 * Exit codes (documented in both subcommands' --help, see EXIT_CODES_HELP):
 *   the program's own code when it exits; 128 + n when it was killed by signal n (like a shell);
 *   125 when nsbridge could not set the program up (one line on stderr: step, errno, hint);
 *   126 when the program was found but could not be executed; 127 when it was not found;
 *   2 for usage errors (bad flags).
 */
import { readFileSync } from '../sync-fs.js';
import { constants as osConstants } from 'node:os';
import { spawn } from '../spawn/spawn.js';
import { SpawnError } from '../spawn/spawn-error.js';
import type { SpawnOptions } from '../spawn/options.js';
import type { ExitInfo } from '../process-handle.js';
import type { NsChild } from '../spawn/ns-child.js';

import { EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, EXIT_SETUP_FAILED } from './exit-codes.js';

/** The signals a terminal (or a supervisor) sends that nsbridge passes on, like unshare --fork. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

const signalNumbers = osConstants.signals as Readonly<Record<string, number>>;

/** A shell's convention: the exit code, or 128 + the number of the signal that killed it. */
function exitCodeOf(info: ExitInfo): number {
  if (info.code !== null) return info.code;
  // Real-time signals have no name in os.constants: ExitInfo calls them 'SIGRT<n>'.
  if (info.signal !== null) return 128 + (signalNumbers[info.signal] ?? Number(/^SIGRT(\d+)$/.exec(info.signal)?.[1] ?? 0));
  return 1; // neither is knowable: cannot happen for our own reaped child
}

/** `<step> failed: <ERRNO> (<syscall>): <hint>`, without the library's "spawn <file>: " prefix. */
function setupFailureLine(error: SpawnError): string {
  const hint = error.hint ?? CLI_HINTS[`${error.step}:${error.code}`];
  return `${error.step} failed: ${error.code} (${error.syscall})${hint === undefined ? '' : `: ${hint}`}`;
}

// Causes the library has no hint for because they come from a flag's value, not a kernel rule.
const CLI_HINTS: Readonly<Record<string, string>> = {
  'cgroup:ENOENT': 'the --cgroup-path directory does not exist (a cgroup v2 directory, e.g. under /sys/fs/cgroup)',
  'cgroup:ENOTDIR': 'the --cgroup-path is not a directory',
};

function setupExitCode(error: SpawnError): number {
  if (error.step !== 'execve') return EXIT_SETUP_FAILED;
  return error.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

/**
 * Runs `file args` with `options` (stdio is forced to our own fds 0-2) and resolves with the exit
 * code nsbridge should end with; `afterSpawn` runs once spawn() returned. Setup failures are
 * reported on stderr here; invalid options (TypeError / RangeError from spawn) are thrown to the
 * caller.
 */
export async function runProgram(file: string, args: readonly string[], options: SpawnOptions, afterSpawn?: () => void): Promise<number> {
  // While spawn() sets the program up, this thread is inside the call and no JavaScript runs: a
  // handler installed now would only queue the signal, and a setup that hangs (a frozen cgroup,
  // a hung file system) could then be ended by nothing but SIGKILL. So until spawn() returns the
  // signals keep their default action and end nsbridge; the child, still in its setup, then exits
  // before exec (it checks that its spawner lives), so no program runs without us.
  let child: NsChild;
  try {
    child = spawn(file, args, { ...options, stdio: 'inherit' });
  } catch (error) {
    afterSpawn?.();
    throw error;
  }
  // From here on a signal reaches the program, which decides (the handlers go in at once: until
  // then a signal still ends nsbridge, and the program would be left without anyone waiting for
  // it). The terminal also sends a Ctrl-C to the program directly when both are in its foreground
  // process group; a second copy is harmless for the usual handlers. A pid-1 program (run --pid)
  // gets a signal from us, in an ancestor pid namespace, only if it installed a handler: the
  // kernel drops the others, so there the program is ended with SIGKILL (which the kernel
  // delivers from an ancestor) instead. A second SIGTERM means "now", as supervisors mean it:
  // the program is killed (SIGKILL). A second SIGINT does not: at an interactive program, every
  // Ctrl-C is a SIGINT to both of us.
  let terminated = false;
  const forward = (signal: NodeJS.Signals): void => {
    const again = signal === 'SIGTERM' && terminated;
    if (signal === 'SIGTERM') terminated = true;
    const pid = child.pid;
    // nsbridge-init (--init) takes every signal (blocked, then sigwaitinfo) and passes it on.
    const dropped = options.init !== true && pid !== undefined && droppedByInit(pid, signalNumbers[signal]!);
    child.kill(again || dropped ? 'SIGKILL' : signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  afterSpawn?.(); // what the options referred to (directory fds, namespace handles) is no longer needed
  try {
    const info = await child.exited;
    return exitCodeOf(info);
  } catch (error) {
    if (error instanceof SpawnError) {
      process.stderr.write(`nsbridge: ${setupFailureLine(error)}\n`);
      return setupExitCode(error);
    }
    throw error;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}

/**
 * Whether `signal` sent to our child `pid` would be dropped: it is pid 1 of its pid namespace and
 * has neither a handler for the signal nor ignores nor blocks it (the kernel discards signals with
 * the default action that reach a namespace's init from outside, except SIGKILL/SIGSTOP; a blocked
 * one is queued). The child is ours and not yet reaped, so its pid cannot have been reused.
 */
function droppedByInit(pid: number, signal: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return false;
  }
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const nspid = field('NSpid').split(/\s+/);
  if (nspid.length < 2 || nspid.at(-1) !== '1') return false;
  const bit = 1n << BigInt(signal - 1);
  const caught = (BigInt(`0x${field('SigCgt') || '0'}`) | BigInt(`0x${field('SigIgn') || '0'}`) | BigInt(`0x${field('SigBlk') || '0'}`)) & bit;
  return caught === 0n;
}

/** What runs when no program is given: the user's shell, like unshare and nsenter. */
export function defaultProgram(): string {
  const shell = process.env.SHELL;
  return shell !== undefined && shell !== '' ? shell : '/bin/sh';
}

/**
 * spawn() checks some combinations the flag parsers cannot see alone (overlapping map ranges, …):
 * its TypeError / RangeError is a usage error. The message names spawn's option; say which flags
 * feed it.
 */
export function usageErrorFromSpawn(error: unknown): string | null {
  if (!(error instanceof TypeError || error instanceof RangeError)) return null;
  let message = error.message;
  // The maps are the own-id entry (-r, --map-user / --map-group) first, then each range flag.
  for (const [option, name, flags] of [
    ['uidMap', 'uid', '--map-root-user / --map-user, then each --map-users'],
    ['gidMap', 'gid', '--map-root-user / --map-group, then each --map-groups'],
  ] as const) {
    if (!message.includes(`options.${option}`)) continue;
    message = message
      .replace(new RegExp(`options\\.${option}\\[(\\d+)\\]`, 'g'), (_, i: string) => `${name} map line ${Number(i) + 1}`)
      .replace(new RegExp(`options\\.${option}`, 'g'), `the ${name} map`);
    message += ` (the ${name} map is ${flags})`;
  }
  return message
    .replace(/options\.cwd/g, '--wd')
    .replace(/options\.cgroup/g, '--cgroup-path')
    .replace(/options\.timeOffsets\.(\w+)/g, '--$1')
    .replace(/options\.hostname/g, '--hostname')
    .replace(/options\.join\.target/g, '--target')
    .replace(/^file\b/, 'the program');
}
