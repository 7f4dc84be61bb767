// What this process looks like from /proc: its fds, mounts and namespaces, and its zombie
// children. Plain JavaScript so that both the tests (through proc-state.d.mts) and the fixtures,
// which run in node processes of their own without TypeScript, use the same code.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const NS_LINKS = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'];

/** The fds open in a process (this one by default), as numbers. */
export function openFds(pid = 'self') {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

/** This process's open fds, its mountinfo, and the targets of its /proc/self/ns links. */
export function hostState() {
  return {
    fds: openFds(),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8'),
    namespaces: Object.fromEntries(NS_LINKS.map((name) => [name, readlinkSync(`/proc/self/ns/${name}`)])),
  };
}

/** Children of this process that are zombies (state Z). */
export function zombieChildren() {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' && Number(ppid) === process.pid) found.push(Number(entry));
  }
  return found;
}
