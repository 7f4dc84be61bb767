/** The scenario op 'reboot'. */
import { reboot as model } from '../model/tasks/reboot.js';
import { name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** reboot(2) with the magic numbers (or bad ones) and a command. */
export interface RebootStep {
  /** reboot(2). */
  op: 'reboot';
  /** The process that makes the call (inside a child pid namespace, which it would end). */
  proc: ProcName;
  /** LINUX_REBOOT_CMD_RESTART, _RESTART2, _POWER_OFF, _HALT, _CAD_ON, _CAD_OFF; 'bad-magic': a wrong magic1. */
  cmd: 'restart' | 'restart2' | 'power_off' | 'halt' | 'cad_on' | 'cad_off' | 'bad-magic';
}

const COMMANDS = ['restart', 'restart2', 'power_off', 'halt', 'cad_on', 'cad_off', 'bad-magic'] as const;

export const rebootOp: OpDescriptor<RebootStep> = {
  shape: [{ proc: name, cmd: oneOf(['restart', 'restart2', 'power_off', 'halt', 'cad_on', 'cad_off', 'bad-magic']) }],
  model,
  kernel: {
    // The agent refuses it in the initial pid namespace and in the driver's own.
    schema: { handler: 'Reboot', args: [{ enum: COMMANDS }], reply: [] },
    encode: (step) => [step.cmd],
    mayEndCaller: true,
  },
  requires: NOTHING_MORE,
  random: {
    weight: 1,
    make(r) {
      // reboot(2) in the world's top pid namespace would end the world: only from nested ones.
      const topNs = r.world.processes.get('init')!.ns.pid;
      if (r.caller.ns.pid === topNs) return { op: 'getpid', proc: r.proc };
      return { op: 'reboot', proc: r.proc, cmd: pick(['restart', 'power_off', 'cad_on', 'bad-magic'] as const, r.c) };
    },
  },
};
