/**
 * Kernel error paths, each asserting the exact code and syscall, and that nothing changed.
 * None of these calls succeeds, so running them in the test process changes no namespace.
 */
import { closeSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Namespace, ProcessHandle } from '../src/index.js';
import * as raw from '../src/raw.js';
import { fdTarget, openFds, unusedFd } from './helpers/processes.js';

function inodes(): bigint[] {
  return (['mnt', 'net', 'uts', 'ipc', 'pid', 'user', 'cgroup', 'time'] as const).map((type) => {
    using ns = Namespace.of('self', type);
    return ns.inode;
  });
}

describe('setns error paths', () => {
  it('setns on a regular file → EINVAL, nothing changed', () => {
    const before = inodes();
    const fd = openSync('/etc/passwd', 'r'); // (openNamespaceFile refuses it: not nsfs)
    try {
      expect(() => raw.setns(fd, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setns', errno: -22, fd }));
    } finally {
      closeSync(fd);
    }
    expect(inodes()).toEqual(before);
  });

  it('setns on an fd that is not open → EBADF', () => {
    const fd = unusedFd();
    expect(fdTarget(fd)).toBeUndefined();
    expect(() => raw.setns(fd, 'uts')).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'setns', errno: -9, fd }));
  });

  it('setns with a namespace fd of another kind → EINVAL, nothing changed', () => {
    const before = inodes();
    using net = Namespace.of('self', 'net');
    expect(() => raw.setns(net.fd, 'uts')).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }));
    expect(inodes()).toEqual(before);
  });

  it('setns(pidfd, CLONE_NEWUSER) into its own user namespace in a multithreaded process → EINVAL', () => {
    const before = inodes();
    using self = ProcessHandle.open(process.pid);
    expect(() => raw.setns(self.fd, 'user')).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }));
    expect(inodes()).toEqual(before);
  });
});

describe('open / ioctl / pidfd error paths', () => {
  it('pidfd_open of a pid that has exited → ESRCH', async () => {
    const child = spawn('true');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(() => ProcessHandle.open(child.pid!)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_open', errno: -3 }));
  });

  it('Namespace.of a pid that does not exist → ENOENT naming the path', () => {
    // PID_MAX_LIMIT is 4194304; pid_max is at most that, so this pid cannot exist.
    expect(() => Namespace.of(4194304, 'net')).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: '/proc/4194304/ns/net' }),
    );
  });

  it('Namespace.open of a regular file → ENOTTY (not nsfs, by fstatfs of an O_PATH fd) with the path, fd closed', () => {
    const before = new Set(openFds());
    expect(() => Namespace.open('/etc/passwd')).toThrow(
      expect.objectContaining({ code: 'ENOTTY', syscall: 'fstatfs', path: '/etc/passwd', hint: '/etc/passwd is not a namespace file' }),
    );
    expect(openFds().filter((fd) => !before.has(fd))).toEqual([]);
  });

  it('nsfs ioctls on a non-nsfs fd → ENOTTY', () => {
    const fd = openSync('/etc/passwd', 'r');
    try {
      expect(() => raw.nsGetParent(fd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl(NS_GET_PARENT)' }));
      expect(() => raw.nsGetUserns(fd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl(NS_GET_USERNS)' }));
    } finally {
      closeSync(fd);
    }
  });

  it('NS_GET_PARENT on a non-hierarchical namespace → EINVAL; NS_GET_OWNER_UID on a non-user one → EINVAL', () => {
    using net = Namespace.of('self', 'net');
    expect(() => raw.nsGetParent(net.fd)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl(NS_GET_PARENT)' }));
    expect(() => raw.nsGetOwnerUid(net.fd)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl(NS_GET_OWNER_UID)' }));
  });

  it('pidfd_send_signal to an exited (reaped) process → ESRCH', async () => {
    const child = spawn('sleep', ['1000']);
    using handle = ProcessHandle.open(child.pid!);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(() => handle.signal(0)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_send_signal' }));
    expect(() => handle.nspid()).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

describe('closed handles', () => {
  it('every use of a closed Namespace or ProcessHandle throws ERR_NSBRIDGE_CLOSED', () => {
    const ns = Namespace.of('self', 'pid');
    ns.close();
    ns.close(); // idempotent
    expect(ns.closed).toBe(true);
    for (const use of [() => ns.fd, () => ns.inode, () => ns.id, () => ns.parent(), () => ns.owner(), () => ns.equals(ns)]) {
      expect(use).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED', message: 'Namespace (pid) is closed' }));
    }
    const handle = ProcessHandle.open(process.pid);
    handle.close();
    for (const use of [() => handle.fd, () => handle.signal(0), () => handle.namespace('net'), () => handle.nspid(), () => handle.exited()]) {
      expect(use).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
    }
  });
});

describe('pidfd_getfd', () => {
  it('copies another process fd (here our own): same file, new O_CLOEXEC fd; a missing target fd → EBADF', () => {
    using net = Namespace.of('self', 'net');
    using self = ProcessHandle.open(process.pid);
    const copy = raw.pidfdGetfd(self.fd, net.fd);
    try {
      expect(copy.fd).not.toBe(net.fd);
      expect(raw.fileIdentity(copy.fd).ino).toBe(net.inode);
      expect(raw.fileIdentity(copy.fd).isNsfs).toBe(true);
    } finally {
      copy.close();
    }
    expect(() => raw.pidfdGetfd(self.fd, unusedFd())).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'pidfd_getfd' }));
  });
});
