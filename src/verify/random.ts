/**
 * Random operation sequences for the cross-check, valid and invalid alike.
 *
 * fast-check generates *abstract* steps (an operation and a few numbers); materialise() turns them
 * into a concrete scenario by walking the model: the numbers pick among the processes and handles
 * that exist at that point, so every sequence names only things that were created, and fast-check
 * can still shrink the abstract list (drop steps, lower numbers) to a minimal diverging scenario.
 */
import fc from 'fast-check';
import { NAMESPACE_TYPES, type NamespaceType } from '../kinds.js';
import { isAlive } from '../model/access.js';
import { Model } from '../model/model.js';
import type { CloneFlag, NsEntry, ProcName, Scenario, SignalName, Step } from '../model/steps.js';
import type { World } from '../model/world.js';

const OPS = [
  'clone3', 'clone3', 'clone3', 'unshare', 'unshare', 'setns', 'openNs', 'openNs', 'pidfdOpen', 'kill', 'kill',
  'exit', 'wait', 'wait', 'handle', 'signals', 'getpid', 'getppid', 'nspid', 'nsId', 'nsIoctl', 'translatePid',
  'writeMap', 'readMap', 'writeSetgroups', 'writeTimeOffsets', 'readTimeOffsets', 'clockOffset', 'readLastPid',
  'writeLastPid', 'setuid', 'setSubreaper', 'reboot', 'pidfdSendSignal', 'state', 'close',
] as const;
type AbstractOp = (typeof OPS)[number];

export interface AbstractStep {
  op: AbstractOp;
  /** Picks: which caller, which target, which variant, which bits. */
  a: number;
  b: number;
  c: number;
  bits: number;
}

const abstractStep: fc.Arbitrary<AbstractStep> = fc.record({
  op: fc.constantFrom(...OPS),
  a: fc.nat(15),
  b: fc.nat(15),
  c: fc.nat(15),
  bits: fc.nat(0xffff),
});

export function abstractSequence(maxSteps = 24): fc.Arbitrary<AbstractStep[]> {
  // size 'max': lengths spread over the whole range (fast-check's default keeps arrays short).
  return fc.array(abstractStep, { minLength: 1, maxLength: maxSteps, size: 'max' });
}

/** At most this many processes per sequence (each is a real agent process on the kernel side). */
const MAX_PROCESSES = 10;
const SIGNAL_CHOICES: SignalName[] = ['SIGTERM', 'SIGKILL', 'SIGUSR1', 'SIGHUP', 'SIGCHLD', 'SIGINT', 'SIGUSR2', 'SIGCONT'];
const ENTRIES: NsEntry[] = [...NAMESPACE_TYPES, 'pid_for_children', 'time_for_children'];
const EXTRA_CLONE_FLAGS: CloneFlag[] = ['parent', 'fs', 'files', 'sysvsem'];

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

/** Up to two namespace kinds from the bits (most steps create one or none). */
function kindsFrom(bits: number): NamespaceType[] {
  const first = bits & 0xf;
  const second = (bits >> 4) & 0xf;
  const kinds = new Set<NamespaceType>();
  if (first < NAMESPACE_TYPES.length) kinds.add(NAMESPACE_TYPES[first]!);
  if (second < NAMESPACE_TYPES.length && bits & 0x100) kinds.add(NAMESPACE_TYPES[second]!);
  return [...kinds];
}

/** A clone3 without `child` makes a process the model names '\0anon…': no step can name it. */
function isUnnamed(name: string): boolean {
  return name.startsWith('\0');
}

function runnable(world: World): ProcName[] {
  return [...world.processes.values()].filter((p) => p.state === 'running' && !p.sleeper && !isUnnamed(p.name)).map((p) => p.name);
}

function concrete(a: AbstractStep, world: World, counter: { next: number }): Step | null {
  const callers = runnable(world);
  if (callers.length === 0) return null;
  const proc = pick(callers, a.a);
  const caller = world.processes.get(proc)!;
  const everyone = [...world.processes.keys()].filter((name) => !isUnnamed(name));
  const target = pick(everyone, a.b);
  const handles = [...caller.handles.keys()];
  const handle = handles.length === 0 || a.c === 0 ? 'closed' : pick(handles, a.c);
  const newHandle = `h${counter.next++}`;
  switch (a.op) {
    case 'clone3': {
      if (world.processes.size >= MAX_PROCESSES) return { op: 'getpid', proc };
      const flags: CloneFlag[] = [];
      if (a.bits & 0x200) flags.push(pick(EXTRA_CLONE_FLAGS, a.c));
      if (a.bits & 0x400) flags.push('pidfd');
      if ((a.bits & 0x3800) === 0x3800) flags.push('thread', 'sighand', 'vm');
      const step: Step = { op: 'clone3', proc, child: `p${counter.next++}`, namespaces: kindsFrom(a.bits), flags };
      if (flags.includes('pidfd')) step.pidfd = newHandle;
      if (a.bits & 0x8000) step.exitSignal = pick(['SIGUSR1', 0, 'SIGCHLD', 65] as const, a.b);
      if ((a.bits & 0x4000) && !flags.includes('thread')) step.setTid = [1 + (a.b % 3) * 10 + a.c];
      return step;
    }
    case 'unshare':
      return { op: 'unshare', proc, namespaces: kindsFrom(a.bits) };
    case 'setns':
      return { op: 'setns', proc, fd: handle, namespaces: a.bits & 0x1000 ? [] : kindsFrom(a.bits) };
    case 'openNs':
      return { op: 'openNs', proc, as: newHandle, target, entry: pick(ENTRIES, a.c) };
    case 'pidfdOpen':
      return { op: 'pidfdOpen', proc, as: newHandle, target, ...(a.bits & 1 ? { flags: ['nonblock' as const] } : {}) };
    case 'kill':
      return { op: 'kill', proc, target, signal: pick(SIGNAL_CHOICES, a.c) };
    case 'pidfdSendSignal':
      return { op: 'pidfdSendSignal', proc, fd: handle, signal: pick(SIGNAL_CHOICES, a.c) };
    case 'exit':
      // The world's init exiting ends the world; that is the init area's business, not random's.
      return proc === 'init' ? { op: 'getppid', proc } : { op: 'exit', proc, code: a.c % 4 };
    case 'wait':
      if (a.bits & 1) return { op: 'wait', proc };
      if (a.bits & 2 && handles.length > 0) return { op: 'wait', proc, fd: handle };
      return { op: 'wait', proc, target };
    case 'handle':
      return { op: 'handle', proc, signal: pick(SIGNAL_CHOICES.filter((s) => s !== 'SIGKILL'), a.c) };
    case 'signals':
    case 'getpid':
    case 'getppid':
    case 'readLastPid':
    case 'setSubreaper':
      return { op: a.op, proc };
    case 'nspid':
      return { op: 'nspid', proc, target };
    case 'nsId':
      return { op: 'nsId', proc, target, entry: pick(ENTRIES, a.c) };
    case 'state':
      return { op: 'state', target };
    case 'close':
      return { op: 'close', proc, handle };
    case 'nsIoctl': {
      const request = pick(['NS_GET_PARENT', 'NS_GET_USERNS', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID'] as const, a.b);
      return request === 'NS_GET_PARENT' || request === 'NS_GET_USERNS'
        ? { op: 'nsIoctl', proc, fd: handle, request, as: newHandle }
        : { op: 'nsIoctl', proc, fd: handle, request };
    }
    case 'translatePid':
      if (handle === 'closed') return { op: 'getpid', proc };
      return a.bits & 1 ? { op: 'translatePid', proc, fd: handle, direction: 'from', pid: 1 + (a.c % 4) } : { op: 'translatePid', proc, fd: handle, direction: 'in', target };
    case 'writeMap': {
      const lines: Array<[number, number, number]> = pick([[[0, 0, 1]], [[0, 65534, 1]], [[0, 0, 65536]], [[0, 1000, 1], [1, 0, 1]], [[0, 0, 1], [0, 1, 1]]], a.c);
      return { op: 'writeMap', proc, target, map: a.bits & 1 ? 'gid_map' : 'uid_map', lines };
    }
    case 'readMap':
      return { op: 'readMap', proc, target, map: a.bits & 1 ? 'gid_map' : 'uid_map' };
    case 'writeSetgroups':
      return { op: 'writeSetgroups', proc, target, value: a.bits & 1 ? 'allow' : 'deny' };
    case 'writeTimeOffsets':
      return { op: 'writeTimeOffsets', proc, target, offsets: [{ clock: a.bits & 1 ? 'boottime' : 'monotonic', seconds: pick([100, -5, 3600, 0], a.c) }] };
    case 'readTimeOffsets':
      return { op: 'readTimeOffsets', proc, target };
    case 'clockOffset':
      return { op: 'clockOffset', proc, clock: a.bits & 1 ? 'boottime' : 'monotonic' };
    case 'writeLastPid':
      return { op: 'writeLastPid', proc, value: pick([10, 99, 2, 0], a.c) };
    case 'setuid':
      return { op: 'setuid', proc, id: a.bits & 1 ? 0 : 65534 };
    case 'reboot': {
      // reboot(2) in the world's top pid namespace would end the world: only from nested ones.
      const topNs = world.processes.get('init')!.ns.pid;
      if (caller.ns.pid === topNs) return { op: 'getpid', proc };
      return { op: 'reboot', proc, cmd: pick(['restart', 'power_off', 'cad_on', 'bad-magic'] as const, a.c) };
    }
  }
}

/** The concrete steps for an abstract sequence (deterministic). */
export function materialise(sequence: readonly AbstractStep[]): Step[] {
  const model = new Model();
  const counter = { next: 1 };
  const steps: Step[] = [];
  for (const abstract of sequence) {
    const step = concrete(abstract, model.world, counter);
    if (step === null) break;
    model.apply(step);
    steps.push(step);
    if (!isAlive(model.world.processes.get('init')!)) break;
  }
  return steps;
}

/** A diverging random sequence as a catalogue entry, ready to paste. */
export function asScenario(steps: Step[], seed: number, index: number): Scenario {
  return { name: `random/seed-${seed}-${index}`, area: 'random', description: `found by nsbridge verify --seed ${seed}`, steps };
}
