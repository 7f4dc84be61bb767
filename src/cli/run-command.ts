/** `nsbridge run`: start a program in new namespaces, like unshare(1) --fork. */
import { Option, type Command } from './commander.js';
import {
  optionalValue, parseAbsolutePath, repeatedOptionalValue, parseGroup, parseHostname, parseId, parseIdMapEntry, parseNonEmpty, parseSeconds, parseSignal, parseUser,
} from './arg-parsers.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { KIND_FLAGS } from './kind-flags.js';
import { UsageError, runOptions, type RunFlags } from './run-options.js';

const EXAMPLES = `
Flags with an optional value take it only attached, as unshare does: --net=FILE, --mount-proc=DIR,
--kill-child=SIG (a bare --net is just the flag, the next word is the program). A kind flag with
a FILE bind-mounts the new namespace onto that existing file before the program runs, so it
outlives it (like ip netns add). Implied: --mount-proc → --mount; the map flags and --setgroups
need/imply --user; --monotonic/--boottime → --time; --hostname → --uts; --loopback → --net.
Without a program, $SHELL (or /bin/sh) runs. nsbridge always forks: with --pid the program is pid 1
of the new pid namespace. A new mount namespace's mounts are made private first (--propagation),
so nothing the program mounts reaches the host. Once the program runs, SIGINT, SIGTERM, SIGHUP
and SIGQUIT sent to nsbridge are passed on to it (a second SIGTERM kills it); a pid 1 without a
handler for the signal would never see it (the kernel drops it), so nsbridge ends such a program
with SIGKILL instead (exit status 137), unless --init runs in front of it. During the setup they end nsbridge itself, so a setup that
hangs can be interrupted, and the half-made child then exits without running the program.
${EXIT_CODES_HELP}
Examples:
  nsbridge run --pid --mount-proc -- sh -c 'echo $$; ps -e'
  nsbridge run --user --map-root-user -- id -u
  nsbridge run --uts --hostname box -- hostname
  nsbridge run --net -- ip link
  nsbridge run --loopback -- node -e "require('net').createServer().listen(80, '127.0.0.1', function () { this.close() })"
  nsbridge run --net=/run/netns/blue -- true
  nsbridge run --user --map-users 0:100000:65536 --map-groups 0:100000:65536 -- cat /proc/self/uid_map
  nsbridge run --boottime 86400 -- cat /proc/uptime
  nsbridge run --pid --mount-proc --kill-child -- sleep 1000
  nsbridge run --pid --init -- sh -c 'sleep 1 & echo $$'
`;

export function registerRun(program: Command): Command {
  // Options after the program name belong to the program (sh -c …): the parent must parse
  // positionally for passThroughOptions. nsbridge itself has no options of its own but --help.
  program.enablePositionalOptions();
  const command = program
    .command('run')
    .description('run a program in new namespaces (like unshare --fork)')
    .usage('[options] [--] [program [args...]]')
    .argument('[program]', 'program to run, looked up on PATH (default: $SHELL or /bin/sh)')
    .argument('[args...]', "the program's arguments")
    .passThroughOptions();
  for (const kind of KIND_FLAGS) {
    const extra = kind.type === 'pid' ? ': the program is its pid 1' : kind.type === 'net' ? ' (only lo, down)' : '';
    command.addOption(new Option(`${kind.short}, ${kind.long} [file]`, `new ${kind.what}${extra}; =FILE persists it there`).argParser(repeatedOptionalValue(parseAbsolutePath, 'value')));
  }
  command
    .option('-f, --fork', 'accepted for unshare compatibility: nsbridge always forks')
    .option('-r, --map-root-user', 'map root in the new user namespace to your uid and gid (implies --user, setgroups deny)')
    .option('-c, --map-current-user', 'map your uid and gid to themselves in the new user namespace (implies --user, setgroups deny)')
    .option('--map-user <uid|name>', 'map this uid in the new user namespace to your uid (implies --user)', parseUser)
    .option('--map-group <gid|name>', 'map this gid in the new user namespace to your gid (implies --user, setgroups deny)', parseGroup)
    .option('--map-users <inner:outer:count>', 'add a uid range to the map; also outer,inner,count (util-linux 2.38) or auto (repeatable; implies --user)', parseIdMapEntry)
    .option('--map-groups <inner:outer:count>', 'add a gid range to the map; also outer,inner,count or auto (repeatable; implies --user)', parseIdMapEntry)
    .option('--map-auto', 'map your first /etc/subuid and /etc/subgid ranges from 0 (implies --user)')
    .addOption(new Option('--setgroups <mode>', 'allow or deny setgroups(2) in the new user namespace').choices(['allow', 'deny']))
    .option('--keep-caps', 'keep the capabilities the new user namespace grants, in the ambient set, when the program is not root there')
    .addOption(new Option('--propagation <mode>', "propagation of the new mount namespace's mounts (default private: nothing mounted inside reaches the host)").choices(['private', 'shared', 'slave', 'unchanged']))
    .addOption(new Option('--mount-proc [dir]', 'mount a fresh proc for the new pid namespace (default /proc; implies --mount, needs --pid)').argParser(optionalValue(parseAbsolutePath)))
    .option('--loopback', 'bring lo up in the new network namespace: 127.0.0.1 and ::1 answer (implies --net)')
    .option('--hostname <name>', 'hostname of the new UTS namespace (implies --uts)', parseHostname)
    .option('--monotonic <seconds>', 'offset of CLOCK_MONOTONIC in the new time namespace (implies --time)', parseSeconds)
    .option('--boottime <seconds>', 'offset of CLOCK_BOOTTIME in the new time namespace (implies --time)', parseSeconds)
    .option('--cgroup-path <dir>', 'start the program in this cgroup v2 directory (CLONE_INTO_CGROUP)', parseNonEmpty)
    .option('--init', "put nsbridge's init at pid 1 of the new pid namespace, the program as pid 2: it forwards every signal, reaps orphans, and exits as the program did (needs --pid)")
    .addOption(new Option('--kill-child [signal]', 'when nsbridge dies, send the program this signal (default KILL)').argParser(optionalValue(parseSignal)))
    .option('-R, --root <dir>', 'run the program with this root directory (chroot, in the new mount namespace)', parseNonEmpty)
    .option('-w, --wd <dir>', "the program's working directory (after --root)", parseNonEmpty)
    .option('-S, --setuid <uid>', 'set the uid in the new namespaces', parseId)
    .option('-G, --setgid <gid>', 'set the gid in the new namespaces (and drop supplementary groups)', parseId)
    .addHelpText('after', EXAMPLES.trimEnd())
    .action(async (file: string | undefined, args: string[], flags: RunFlags, self: Command) => {
      let options;
      try {
        options = runOptions(flags);
      } catch (error) {
        if (error instanceof UsageError) self.error(`error: ${error.message}`, { exitCode: 2, code: 'nsbridge.usage' });
        throw error;
      }
      // Loaded here, not at the top: spawn() and its modules are needed only when a program runs.
      const { defaultProgram, runProgram, usageErrorFromSpawn } = await import('./program-runner.js');
      const [programFile, programArgs] = file === undefined ? [defaultProgram(), []] : [file, args];
      try {
        process.exitCode = await runProgram(programFile, programArgs, options);
      } catch (error) {
        const usage = usageErrorFromSpawn(error);
        if (usage !== null) self.error(`error: ${usage}`, { exitCode: 2, code: 'nsbridge.usage' });
        throw error;
      }
    });
  return command;
}
