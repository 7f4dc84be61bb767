// The table of mixes: each entry makes one spawn() (plus, for a few, a helper spawn that gives it
// a fresh pid) and checks its exact outcome through expect.mjs. Programs check their own
// surroundings from inside and exit 0 only when they are right.
import { readFileSync } from 'node:fs';
import { spawn } from '../../dist/index.js';
import { check, expectAbortedBeforeStart, expectExit, expectFailure } from './expect.mjs';
import { TARGET_HOSTNAME } from './fixtures.mjs';

const OK = { code: 0, signal: null };
const killedBy = (signal) => ({ code: null, signal });
const quiet = /** @type {const} */ ({ stdio: 'ignore' });
/** Long sleepers (the kill mixes) die with the soak, even when it is killed before it stops them. */
const sleeper = /** @type {const} */ ({ stdio: 'ignore', killOnParentDeath: true });

/** spawn(file, args, options) must fail at `expected.step` with `expected.code`. */
const fails = (file, args, options, expected) => expectFailure(spawn(file, args, { ...quiet, ...options }), file, expected);
/** spawn('sh', ['-c', script], options) must exit with `status`. */
const shell = (script, options, status = OK) => expectExit(spawn('sh', ['-c', script], { ...quiet, ...options }), status);
/** ns-is.sh: exits 0 only if the program is in the target's namespace of each of `kinds`. */
const inNamespaces = (f, kinds, options) =>
  expectExit(spawn(f.files.nsIs, kinds.map((kind) => `${kind}=${f.targetLinks[kind]}`), { ...quiet, ...options }), OK);

// A pid freshly released by a reaped child of ours. The kernel hands pids out cyclically from a
// cursor past the last one given, so a freed pid comes back only after a wrap through pid_max
// (32768 on this host; the soak itself wraps it): safe for a spawn made right after.
async function freshlyFreedPid(tally) {
  const child = spawn('/bin/true', [], quiet);
  tally.helperSpawns++;
  await expectExit(child, OK);
  check(child.pid !== undefined, 'the helper spawn has no pid'); // expectExit checked it already
  return child.pid;
}

/** Seconds since boot (CLOCK_BOOTTIME), as /proc/uptime shows them. */
const hostUptime = () => Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);

/** Reads a 'pipe' stream to EOF. */
async function readAll(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

// A program as pid 1 checks its pid and /proc: /proc/self/stat starts with "1 " only in a fresh
// proc of its own pid namespace.
const PID1_WITH_OWN_PROC = 'read pid rest < /proc/self/stat && [ "$pid" = 1 ] && [ $$ = 1 ]';
const hostnameIs = (name) => `read h < /proc/sys/kernel/hostname && [ "$h" = ${name} ]`;
// Counts the lines of an id map file: exit 0 only with `n` lines.
const mapLines = (file, n) => `n=0; while read l; do n=$((n + 1)); done < ${file}; [ $n = ${n} ]`;

export const MIXES = [
  // --- programs that run -----------------------------------------------------------------
  { name: 'plain', expect: 'exit 0', run: () => expectExit(spawn('/bin/true', [], quiet), OK) },
  { name: 'plain exit 7', expect: 'exit 7', run: () => shell('exit 7', {}, { code: 7, signal: null }) },
  {
    name: 'pid+uts+ipc+net, hostname',
    expect: 'exit 0 (pid 1, hostname set)',
    run: () => shell(`${hostnameIs('soak')} && [ $$ = 1 ]`, { namespaces: ['pid', 'uts', 'ipc', 'net'], hostname: 'soak' }),
  },
  { name: 'mnt+pid, mountProc', expect: 'exit 0 (pid 1 in its own /proc)', run: () => shell(PID1_WITH_OWN_PROC, { namespaces: ['mnt', 'pid'], mountProc: true }) },
  {
    name: 'user, mapRootUser (+pid+mnt)',
    expect: 'exit 0 (uid_map "0 0 1", own /proc)',
    run: () => shell(`read a b c < /proc/self/uid_map && [ "$a $b $c" = "0 0 1" ] && ${PID1_WITH_OWN_PROC}`, { namespaces: ['user', 'pid', 'mnt'], mapRootUser: true, mountProc: true }),
  },
  {
    name: 'user, multi-line uid/gid maps',
    expect: 'exit 0 (3-line uid_map, 2-line gid_map)',
    run: () =>
      shell(`${mapLines('/proc/self/uid_map', 3)} && ${mapLines('/proc/self/gid_map', 2)} && [ "$(id -u)" = 0 ]`, {
        namespaces: ['user'],
        uidMap: [
          { inside: 0, outside: 0, count: 1 },
          { inside: 1, outside: 100_000, count: 1000 },
          { inside: 5000, outside: 200_000, count: 10 },
        ],
        gidMap: [
          { inside: 0, outside: 0, count: 1 },
          { inside: 1, outside: 100_000, count: 1000 },
        ],
        setgroups: 'allow',
      }),
  },
  {
    name: 'time, timeOffsets',
    expect: 'exit 0 (uptime >= ours + 1 day)',
    // The program's uptime (CLOCK_BOOTTIME) is ours plus the offset: at least our uptime now + 1 day.
    run: () =>
      expectExit(spawn('sh', ['-c', 'read up idle < /proc/uptime && [ ${up%.*} -ge $1 ]', 'sh', String(Math.floor(hostUptime()) + 86_400)], { ...quiet, namespaces: ['time'], timeOffsets: { boottime: 86_400, monotonic: 3600 } }), OK),
  },
  { name: 'cgroup placement', expect: 'exit 0 (in the soak leaf cgroup)', run: (f) => shell(`grep -qx '${f.cgroup.leafLine}' /proc/self/cgroup`, { cgroup: f.cgroup.leaf }) },
  { name: 'join by pid (uts+net)', expect: 'exit 0 (in the target\'s uts, net)', run: (f) => inNamespaces(f, ['uts', 'net'], { join: { target: f.target.pid, kinds: ['uts', 'net'] } }) },
  {
    name: 'join by ProcessHandle (uts+ipc)',
    expect: 'exit 0 (in the target\'s uts, ipc)',
    run: (f) => inNamespaces(f, ['uts', 'ipc'], { join: { target: f.target.process, kinds: ['uts', 'ipc'] } }),
  },
  {
    name: 'join Namespace handles + new mnt',
    expect: 'exit 0 (in the target\'s net, uts, ipc)',
    run: (f) => inNamespaces(f, ['net', 'uts', 'ipc'], { join: { ...f.targetHandles }, namespaces: ['mnt'] }),
  },
  {
    name: "join 'all'",
    expect: 'exit 0 (in all 8 of the target\'s namespaces)',
    run: (f) => inNamespaces(f, ['pid', 'uts', 'ipc', 'net', 'mnt', 'user', 'time', 'cgroup'], { join: { target: f.target.process, kinds: 'all' } }),
  },
  {
    name: 'join pid namespace',
    expect: 'exit 0 (in the target\'s pid namespace, hostname kept)',
    run: (f) => shell(`[ "$(readlink /proc/self/ns/pid)" = "${f.targetLinks.pid}" ] && read h < /proc/sys/kernel/hostname && [ "$h" != ${TARGET_HOSTNAME} ]`, { join: { target: f.target.process, kinds: ['pid'] } }),
  },
  { name: 'setTid [1] in a new pid ns', expect: 'exit 0 ($$ = 1)', run: () => shell('[ $$ = 1 ]', { namespaces: ['pid'], setTid: [1] }) },
  {
    name: 'setTid [1, freed pid]',
    expect: 'exit 0, pid here = the chosen pid',
    run: async (f, tally) => {
      const chosen = await freshlyFreedPid(tally);
      const child = spawn('sh', ['-c', '[ $$ = 1 ]'], { namespaces: ['pid'], setTid: [1, chosen], stdio: 'ignore' });
      check(child.pid === chosen, `pid ${child.pid}, expected the chosen ${chosen}`);
      await expectExit(child, OK);
    },
  },
  // --- stdio ---------------------------------------------------------------------------------
  {
    name: 'stdio pipes read to EOF',
    expect: "exit 0, stdin echoed, stderr read, 'close'",
    run: async () => {
      const child = spawn('sh', ['-c', 'cat; echo err >&2'], { stdio: 'pipe', namespaces: ['uts'] });
      child.stdin.end('hello soak\n');
      const [out, err] = await Promise.all([readAll(child.stdout.setEncoding('utf8')), readAll(child.stderr.setEncoding('utf8')), expectExit(child, OK, { close: true })]);
      check(out === 'hello soak\n' && err === 'err\n', `stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)}`);
    },
  },
  {
    name: 'stdout pipe never read, killed',
    expect: "SIGKILL, then 'close'",
    run: async () => {
      const child = spawn('sleep', ['100000'], { ...sleeper, stdio: ['ignore', 'pipe', 'ignore'] });
      await child.ready;
      child.kill('SIGKILL');
      await expectExit(child, killedBy('SIGKILL'), { close: true });
      check(child.stdout.destroyed, 'stdout not destroyed after close');
    },
  },
  // --- early kills -----------------------------------------------------------------------------
  {
    name: 'kill right after spawn() (SIGKILL, pid ns)',
    expect: 'SIGKILL',
    run: () => {
      const child = spawn('sleep', ['100000'], { ...sleeper, namespaces: ['pid', 'mnt'], mountProc: true });
      check(child.kill('SIGKILL'), 'kill() returned false');
      return expectExit(child, killedBy('SIGKILL'));
    },
  },
  {
    name: 'kill right after spawn() (SIGTERM)',
    expect: 'SIGTERM',
    run: () => {
      const child = spawn('sleep', ['100000'], sleeper);
      check(child.kill('SIGTERM'), 'kill() returned false');
      return expectExit(child, killedBy('SIGTERM'));
    },
  },
  {
    name: 'kill after ready (user+pid)',
    expect: 'SIGKILL',
    run: async () => {
      const child = spawn('sleep', ['100000'], { ...sleeper, namespaces: ['user', 'pid'], mapRootUser: true });
      await child.ready;
      check(child.kill('SIGKILL'), 'kill() returned false');
      await expectExit(child, killedBy('SIGKILL'));
      check(child.kill('SIGKILL') === false, 'kill() after the exit returned true');
    },
  },
  {
    name: 'AbortSignal abort after ready',
    expect: "SIGTERM (killSignal), one AbortError on 'error'",
    run: async () => {
      const controller = new AbortController();
      const child = spawn('sleep', ['100000'], { ...sleeper, signal: controller.signal });
      const errors = [];
      child.on('error', (error) => errors.push(error));
      await child.ready;
      controller.abort();
      await expectExit(child, killedBy('SIGTERM'));
      check(errors.length === 1 && errors[0].name === 'AbortError', `'error' events: ${errors.map(String).join(',')}`);
    },
  },
  {
    name: 'AbortSignal already aborted',
    expect: 'AbortError, no process',
    run: () => expectAbortedBeforeStart(spawn('/bin/true', [], { ...quiet, signal: AbortSignal.abort() })),
  },
  // --- setups made to fail, step by step --------------------------------------------------------
  { name: 'fail: execve ENOENT', expect: 'execve ENOENT', run: (f) => fails(f.files.missingProgram, [], {}, { step: 'execve', code: 'ENOENT', syscall: 'execve' }) },
  {
    name: 'fail: execve ENOENT in pid+uts',
    expect: 'execve ENOENT',
    run: (f) => fails(f.files.missingProgram, [], { namespaces: ['pid', 'uts'] }, { step: 'execve', code: 'ENOENT', syscall: 'execve' }),
  },
  {
    name: 'fail: execve ENOENT in user+pid+mnt',
    expect: 'execve ENOENT',
    run: (f) => fails(f.files.missingProgram, [], { namespaces: ['user', 'pid', 'mnt'], mapRootUser: true, mountProc: true }, { step: 'execve', code: 'ENOENT', syscall: 'execve' }),
  },
  { name: 'fail: execve EACCES (no x bit)', expect: 'execve EACCES', run: (f) => fails(f.files.notExecutable, [], {}, { step: 'execve', code: 'EACCES', syscall: 'execve' }) },
  { name: 'fail: execve EACCES (directory)', expect: 'execve EACCES', run: (f) => fails(f.files.dir, [], {}, { step: 'execve', code: 'EACCES', syscall: 'execve' }) },
  { name: 'fail: execve ENOEXEC', expect: 'execve ENOEXEC', run: (f) => fails(f.files.garbage, [], {}, { step: 'execve', code: 'ENOEXEC', syscall: 'execve' }) },
  { name: 'fail: execve E2BIG', expect: 'execve E2BIG', run: () => fails('/bin/true', ['x'.repeat(33 * 4096)], {}, { step: 'execve', code: 'E2BIG', syscall: 'execve' }) },
  { name: 'fail: chdir ENOENT', expect: 'chdir ENOENT', run: (f) => fails('/bin/true', [], { cwd: f.files.missingDir }, { step: 'chdir', code: 'ENOENT', syscall: 'chdir' }) },
  { name: 'fail: chdir ENOTDIR', expect: 'chdir ENOTDIR', run: (f) => fails('/bin/true', [], { cwd: f.files.plainFile }, { step: 'chdir', code: 'ENOTDIR', syscall: 'chdir' }) },
  {
    name: 'fail: setuid EINVAL (unmapped uid)',
    expect: 'setuid EINVAL',
    run: () => fails('/bin/true', [], { namespaces: ['user'], mapRootUser: true, uid: 1000 }, { step: 'setuid', code: 'EINVAL', syscall: 'setresuid' }),
  },
  {
    name: 'fail: setgid EINVAL (unmapped gid)',
    expect: 'setgid EINVAL',
    run: () => fails('/bin/true', [], { namespaces: ['user'], mapRootUser: true, uid: 1000, gid: 1000 }, { step: 'setgid', code: 'EINVAL', syscall: 'setresgid' }),
  },
  {
    name: 'fail: groups EPERM (no gid map)',
    expect: 'groups EPERM',
    run: () => fails('/bin/true', [], { namespaces: ['user'], groups: [0] }, { step: 'groups', code: 'EPERM', syscall: 'setgroups' }),
  },
  {
    name: 'fail: mount:<path> ENOENT',
    expect: 'mount:<path> ENOENT',
    run: (f) => fails('/bin/true', [], { namespaces: ['mnt', 'pid'], mountProc: f.files.missingDir }, { step: `mount:${f.files.missingDir}`, code: 'ENOENT', syscall: 'mount' }),
  },
  {
    name: 'fail: mount:<path> ENOTDIR',
    expect: 'mount:<path> ENOTDIR',
    run: (f) => fails('/bin/true', [], { namespaces: ['mnt', 'pid'], mountProc: f.files.plainFile }, { step: `mount:${f.files.plainFile}`, code: 'ENOTDIR', syscall: 'mount' }),
  },
  {
    name: 'fail: timens_offsets ERANGE (< 0)',
    expect: 'timens_offsets ERANGE',
    run: () => fails('/bin/true', [], { namespaces: ['time'], timeOffsets: { monotonic: -1e9 } }, { step: 'timens_offsets', code: 'ERANGE', syscall: 'write' }),
  },
  {
    name: 'fail: timens_offsets ERANGE (> max, user)',
    expect: 'timens_offsets ERANGE',
    run: () => fails('/bin/true', [], { namespaces: ['time', 'user'], mapRootUser: true, timeOffsets: { boottime: 5_000_000_000 } }, { step: 'timens_offsets', code: 'ERANGE', syscall: 'write' }),
  },
  { name: 'fail: set_tid EEXIST (our pid)', expect: 'set_tid EEXIST', run: () => fails('/bin/true', [], { setTid: [process.pid] }, { step: 'set_tid', code: 'EEXIST', syscall: 'clone3' }) },
  { name: 'fail: set_tid EINVAL (not 1)', expect: 'set_tid EINVAL', run: () => fails('/bin/true', [], { namespaces: ['pid'], setTid: [5] }, { step: 'set_tid', code: 'EINVAL', syscall: 'clone3' }) },
  {
    name: 'fail: cgroup ENOENT',
    expect: 'cgroup ENOENT (open)',
    run: (f) => fails('/bin/true', [], { cgroup: `${f.cgroup.root}/no-such-cgroup` }, { step: 'cgroup', code: 'ENOENT', syscall: 'open' }),
  },
  { name: 'fail: cgroup EBADF (not cgroup2)', expect: 'cgroup EBADF', run: (f) => fails('/bin/true', [], { cgroup: f.files.notCgroup }, { step: 'cgroup', code: 'EBADF', syscall: 'clone3' }) },
  {
    name: 'fail: cgroup EOPNOTSUPP (domain invalid)',
    expect: 'cgroup EOPNOTSUPP',
    run: (f) => fails('/bin/true', [], { cgroup: f.cgroup.invalid, namespaces: ['uts'] }, { step: 'cgroup', code: 'EOPNOTSUPP', syscall: 'clone3' }),
  },
  {
    name: 'fail: setns ESRCH (reaped, ProcessHandle)',
    expect: 'setns ESRCH',
    run: (f) => fails('/bin/true', [], { join: { target: f.deadHandle, kinds: ['uts'] } }, { step: 'setns', code: 'ESRCH', syscall: f.features.pidfdNamespaces.supported ? 'ioctl(PIDFD_GET_UTS_NAMESPACE)' : undefined }),
  },
  {
    name: 'fail: setns ESRCH (reaped NsChild handle)',
    expect: 'setns ESRCH',
    run: (f) => fails('/bin/true', [], { join: { target: f.reapedChild, kinds: ['uts'] } }, { step: 'setns', code: 'ESRCH', syscall: 'setns' }),
  },
  {
    name: 'fail: setns ESRCH (exited pid)',
    expect: 'setns ESRCH (pidfd_open)',
    run: async (f, tally) => fails('/bin/true', [], { join: { target: await freshlyFreedPid(tally), kinds: ['net'] } }, { step: 'setns', code: 'ESRCH', syscall: 'pidfd_open' }),
  },
  {
    name: 'fail: clone3:pid ENOMEM (dead pid ns)',
    expect: 'clone3:pid ENOMEM',
    run: (f) => fails('/bin/true', [], { join: { pid: f.deadPidNs } }, { step: 'clone3:pid', code: 'ENOMEM', syscall: 'clone3' }),
  },
  {
    name: 'fail: unshare:ipc ENOSPC (limit 0)',
    expect: 'unshare:ipc ENOSPC',
    // Joined into a user namespace whose user.max_ipc_namespaces is 0, the new ipc namespace is
    // charged there; with a join the namespaces come from unshare(2) after the setns calls.
    run: (f) => fails('/bin/true', [], { join: { target: f.limited.process, kinds: ['user'] }, namespaces: ['ipc'] }, { step: 'unshare:ipc', code: 'ENOSPC', syscall: 'unshare' }),
  },
];
