// Mixes for the part of the soak that runs as root of a user namespace (nested.mjs): the setup
// failures a root process in the initial user namespace cannot provoke. There, CAP_SETUID /
// CAP_SETGID over every child namespace and a parent map of all ids make every valid uid_map /
// gid_map write succeed, and option validation refuses the invalid ones before any clone.
// In here only id 0 is mapped (to the soak's uid 0) and setgroups is 'deny'.
import { spawn } from '../../dist/index.js';
import { expectExit, expectFailure } from './expect.mjs';

const OK = { code: 0, signal: null };
const quiet = /** @type {const} */ ({ stdio: 'ignore' });
const fails = (options, expected) => expectFailure(spawn('/bin/true', [], { ...quiet, ...options }), '/bin/true', expected);
const rootOnly = [{ inside: 0, outside: 0, count: 1 }];

export const NESTED_MIXES = [
  {
    name: 'nested user ns, mapRootUser',
    expect: 'exit 0 (uid_map "0 0 1")',
    run: () => expectExit(spawn('sh', ['-c', 'read a b c < /proc/self/uid_map && [ "$a $b $c" = "0 0 1" ]'], { ...quiet, namespaces: ['user', 'pid', 'mnt'], mapRootUser: true, mountProc: true }), OK),
  },
  { name: 'plain (in the user ns)', expect: 'exit 0', run: () => expectExit(spawn('/bin/true', [], quiet), OK) },
  {
    name: 'fail: uid_map EPERM (outside id unmapped)',
    expect: 'uid_map EPERM',
    // Outside id 1000 is not mapped in our user namespace, so it cannot be mapped in a child.
    run: () => fails({ namespaces: ['user'], uidMap: [{ inside: 0, outside: 1000, count: 1 }] }, { step: 'uid_map', code: 'EPERM', syscall: 'write' }),
  },
  {
    name: 'fail: gid_map EPERM (outside id unmapped)',
    expect: 'gid_map EPERM',
    run: () => fails({ namespaces: ['user'], uidMap: rootOnly, gidMap: [{ inside: 0, outside: 1000, count: 1 }] }, { step: 'gid_map', code: 'EPERM', syscall: 'write' }),
  },
  {
    name: "fail: setgroups EPERM ('allow' under 'deny')",
    expect: 'setgroups EPERM',
    // setgroups 'deny' is inherited by child user namespaces and cannot be turned back to allow.
    run: () => fails({ namespaces: ['user'], uidMap: rootOnly, gidMap: rootOnly, setgroups: 'allow' }, { step: 'setgroups', code: 'EPERM', syscall: 'write' }),
  },
  {
    name: 'fail: unshare:ipc ENOSPC (limit 0)',
    expect: 'unshare:ipc ENOSPC',
    // nested.mjs set user.max_ipc_namespaces to 0 in this user namespace.
    run: () => fails({ namespaces: ['ipc', 'uts'] }, { step: 'unshare:ipc', code: 'ENOSPC', syscall: 'clone3' }),
  },
  {
    name: 'kill after ready (nested user+pid)',
    expect: 'SIGKILL',
    run: async () => {
      const child = spawn('sleep', ['100000'], { ...quiet, killOnParentDeath: true, namespaces: ['user', 'pid'], mapRootUser: true });
      await child.ready;
      child.kill('SIGKILL');
      await expectExit(child, { code: null, signal: 'SIGKILL' });
    },
  },
];
