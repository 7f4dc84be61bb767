/** Operations on processes: clone3, exit, signals, wait, pids, pidfds, ns_last_pid, reboot. */
import type { OpTable } from '../ops.js';
import { clone3 } from './clone3.js';
import { exit } from './exit.js';
import { readLastPid, writeLastPid } from './last-pid.js';
import { close, openNull, pidfdOpen } from './pidfd.js';
import { getpid, getppid, nspid, state } from './pids.js';
import { reboot } from './reboot.js';
import { handle, kill, pidfdSendSignal, signals } from './signals.js';
import { setSubreaper } from './subreaper.js';
import { wait } from './wait.js';

export const TASK_OPS: OpTable = {
  clone3,
  exit,
  kill,
  pidfdSendSignal,
  handle,
  signals,
  wait,
  getpid,
  getppid,
  nspid,
  state,
  pidfdOpen,
  close,
  openNull,
  readLastPid,
  writeLastPid,
  setSubreaper,
  reboot,
};
