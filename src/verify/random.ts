/**
 * Random operation sequences for the cross-check, valid and invalid alike.
 *
 * fast-check generates *abstract* steps (an operation and a few numbers); materialise() turns them
 * into a concrete scenario by walking the model: the numbers pick among the processes and handles
 * that exist at that point, so every sequence names only things that were created, and fast-check
 * can still shrink the abstract list (drop steps, lower numbers) to a minimal diverging scenario.
 */
import fc from 'fast-check';
import { isAlive } from '../model/access.js';
import { Model } from '../model/model.js';
import type { Scenario, Step } from '../model/steps.js';
import type { World } from '../model/world.js';
import type { RandomContext } from '../ops/descriptor.js';
import { pick } from '../ops/random-picks.js';
import { OPS } from '../ops/table.js';

type Op = keyof typeof OPS;

/** Each op as often as its descriptor's weight says, in the table's order. */
const WEIGHTED: readonly Op[] = (Object.keys(OPS) as Op[]).flatMap((op) => Array<Op>(OPS[op].random.weight).fill(op));

export interface AbstractStep {
  op: Op;
  /** Picks: which caller, which target, which variant, which bits. */
  a: number;
  b: number;
  c: number;
  bits: number;
}

const abstractStep: fc.Arbitrary<AbstractStep> = fc.record({
  op: fc.constantFrom(...WEIGHTED),
  a: fc.nat(15),
  b: fc.nat(15),
  c: fc.nat(15),
  bits: fc.nat(0xffff),
});

export function abstractSequence(maxSteps = 24): fc.Arbitrary<AbstractStep[]> {
  // size 'max': lengths spread over the whole range (fast-check's default keeps arrays short).
  return fc.array(abstractStep, { minLength: 1, maxLength: maxSteps, size: 'max' });
}

/** A clone3 without `child` makes a process the model names '\0anon…': no step can name it. */
function isUnnamed(name: string): boolean {
  return name.startsWith('\0');
}

function runnable(world: World): string[] {
  return [...world.processes.values()].filter((p) => p.state === 'running' && !p.sleeper && !isUnnamed(p.name)).map((p) => p.name);
}

/** The step an abstract one stands for at this point of the world (its op's descriptor makes it). */
function concrete(a: AbstractStep, world: World, counter: { next: number }): Step | null {
  const callers = runnable(world);
  if (callers.length === 0) return null;
  const proc = pick(callers, a.a);
  const caller = world.processes.get(proc)!;
  const everyone = [...world.processes.keys()].filter((name) => !isUnnamed(name));
  const handles = [...caller.handles.keys()];
  const context: RandomContext = {
    a: a.a,
    b: a.b,
    c: a.c,
    bits: a.bits,
    world,
    proc,
    caller,
    target: pick(everyone, a.b),
    handles,
    handle: handles.length === 0 || a.c === 0 ? 'closed' : pick(handles, a.c),
    // Taken for every step, used or not: the names of a sequence depend only on its position.
    newHandle: `h${counter.next++}`,
    freshName: (prefix) => `${prefix}${counter.next++}`,
  };
  return OPS[a.op].random.make(context);
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
