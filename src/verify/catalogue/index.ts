/**
 * The catalogue: every named scenario, by rule area. `nsbridge verify` and CI run all of them on
 * the model and on the kernel and require agreement.
 */
import type { Scenario } from '../../model/steps.js';
import { scenarios as pidNumbering } from './pid-numbering.js';
import { scenarios as visibility } from './visibility.js';
import { scenarios as orphans } from './orphans.js';
import { scenarios as signals } from './signals.js';
import { scenarios as init } from './init.js';
import { scenarios as clone3 } from './clone3.js';
import { scenarios as pidfd } from './pidfd.js';
import { scenarios as nsLastPid } from './ns_last_pid.js';
import { scenarios as reboot } from './reboot.js';
import { scenarios as threads } from './threads.js';
import { scenarios as unshare } from './unshare.js';
import { scenarios as setns } from './setns.js';
import { scenarios as userns } from './userns.js';
import { scenarios as timens } from './timens.js';
import { scenarios as nsfs } from './nsfs.js';

export const CATALOGUE: readonly Scenario[] = Object.freeze([
  ...pidNumbering,
  ...visibility,
  ...orphans,
  ...signals,
  ...init,
  ...clone3,
  ...pidfd,
  ...nsLastPid,
  ...reboot,
  ...threads,
  ...unshare,
  ...setns,
  ...userns,
  ...timens,
  ...nsfs,
]);
