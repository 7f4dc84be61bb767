/**
 * Every scenario operation, by its `op`: the one table the model, the shape checks, the kernel
 * driver, the agent protocol (native/agent/protocol.inc is generated from it), the host
 * requirements and random generation read. It must have an entry for every member of the Step
 * union (src/model/steps.ts) and nothing else, each the descriptor of its own op: a missing or
 * misplaced descriptor does not compile. Adding an op: its file in src/ops/, its line here and its
 * member of Step, one handler in native/agent/agent.cc (npm run gen:agent-protocol).
 *
 * The order is random generation's (each op `weight` times in a row) and the order shape errors
 * list the ops in.
 */
// In the order the model's modules registered their rules before this table existed: hints
// list equally ranked rules in registration order (failure-rules.ts), so the order is kept.
import { writeMapOp } from './write-map.js';
import { nsIoctlOp } from './ns-ioctl.js';
import { openNsOp } from './open-ns.js';
import { writeSetgroupsOp } from './write-setgroups.js';
import { setnsOp } from './setns.js';
import { setuidOp } from './setuid.js';
import { writeTimeOffsetsOp } from './write-time-offsets.js';
import { translatePidOp } from './translate-pid.js';
import { unshareOp } from './unshare.js';
import { clone3Op } from './clone3.js';
import { exitOp } from './exit.js';
import { readLastPidOp } from './read-last-pid.js';
import { pidfdOpenOp } from './pidfd-open.js';
import { getpidOp } from './getpid.js';
import { rebootOp } from './reboot.js';
import { killOp } from './kill.js';
import { setSubreaperOp } from './set-subreaper.js';
import { waitOp } from './wait.js';
import { clockOffsetOp } from './clock-offset.js';
import { closeOp } from './close.js';
import { getppidOp } from './getppid.js';
import { getuidOp } from './getuid.js';
import { handleOp } from './handle.js';
import { nsIdOp } from './ns-id.js';
import { nspidOp } from './nspid.js';
import { openNullOp } from './open-null.js';
import { pidfdSendSignalOp } from './pidfd-send-signal.js';
import { readMapOp } from './read-map.js';
import { readSetgroupsOp } from './read-setgroups.js';
import { readTimeOffsetsOp } from './read-time-offsets.js';
import { signalsOp } from './signals.js';
import { stateOp } from './state.js';
import { writeLastPidOp } from './write-last-pid.js';
import type { Step } from '../model/steps.js';
import type { CommandSchema } from './agent-protocol.js';
import type { OpDescriptor } from './descriptor.js';


export const OPS = {
  clone3: clone3Op,
  unshare: unshareOp,
  setns: setnsOp,
  openNs: openNsOp,
  pidfdOpen: pidfdOpenOp,
  kill: killOp,
  exit: exitOp,
  wait: waitOp,
  handle: handleOp,
  signals: signalsOp,
  getpid: getpidOp,
  getppid: getppidOp,
  nspid: nspidOp,
  nsId: nsIdOp,
  nsIoctl: nsIoctlOp,
  translatePid: translatePidOp,
  writeMap: writeMapOp,
  readMap: readMapOp,
  writeSetgroups: writeSetgroupsOp,
  writeTimeOffsets: writeTimeOffsetsOp,
  readTimeOffsets: readTimeOffsetsOp,
  clockOffset: clockOffsetOp,
  readLastPid: readLastPidOp,
  writeLastPid: writeLastPidOp,
  setuid: setuidOp,
  setSubreaper: setSubreaperOp,
  reboot: rebootOp,
  pidfdSendSignal: pidfdSendSignalOp,
  state: stateOp,
  close: closeOp,
  openNull: openNullOp,
  readSetgroups: readSetgroupsOp,
  getuid: getuidOp,
} as const satisfies { readonly [K in Step['op']]: OpDescriptor<Extract<Step, { op: K }>> };


/** The descriptor of a step's op, typed by it. */
export function descriptorOf<S extends Step>(step: S): OpDescriptor<S> {
  return OPS[step.op] as unknown as OpDescriptor<S>;
}

/** The agent command schema of an op (a TypeError for 'state', which the driver answers itself). */
export function agentSchema(op: keyof typeof OPS): CommandSchema {
  const { kernel } = OPS[op] as OpDescriptor<Step>;
  if (!('schema' in kernel)) throw new TypeError(`${op} is not an agent command`);
  return kernel.schema;
}
