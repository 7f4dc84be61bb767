/**
 * spawn()'s options checked as a whole: the allowed keys are the groups' keys, and every check
 * needs no kernel state (a wrong type is a TypeError, an impossible value or a contradiction a
 * RangeError naming the option). Nothing is opened here.
 */
import type { NamespaceType } from '../../kinds.js';
import { checkKeys, checkObject } from '../../validate.js';
import { PreparationFailure, StepFailure } from '../preparation-failure.js';
import type { SpawnOptions } from './spawn-options.js';
import { checkCreates, checkJoin, checkPidForChildrenOnly, checkPreserveCredentials, namespaceKeys, type JoinRequest } from './namespaces.js';
import { checkMounts, mountKeys, type Mounts } from './mounts.js';
import { checkKeepCapabilities, checkUserSetup, userKeys, type UserSetup } from './user.js';
import { checkNetwork, networkKeys, type NetworkPlan } from './network.js';
import { checkUts, utsKeys, type UtsPlan } from './uts.js';
import { checkMountProc, procKeys, type ProcPlan } from './proc.js';
import { checkTime, timeKeys, type TimePlan } from './time.js';
import { cgroupKeys, checkCgroup, checkSetTid } from './cgroup.js';
import { checkArgv0, checkCwd, checkEnv, programKeys, searchPath, type ProgramSetup } from './program.js';
import { checkCredentials, credentialKeys, type Credentials } from './credentials.js';
import { checkStdio, pipeSlots, stdioKeys, type StdioSlot } from './stdio.js';
import { checkLifetime, lifetimeKeys, type Lifetime } from './lifetime.js';

/** The groups' keys are exactly SpawnOptions' keys: a key missing here or extra fails to compile. */
function everyKey<const K extends readonly (keyof SpawnOptions)[]>(keys: K & ([keyof SpawnOptions] extends [K[number]] ? unknown : never)): readonly string[] {
  return keys;
}

// In this order in the error for an unknown key.
const optionKeys = everyKey([
  ...namespaceKeys, ...mountKeys, ...userKeys, ...networkKeys, ...utsKeys, ...procKeys, ...timeKeys,
  ...cgroupKeys, ...programKeys, ...credentialKeys, ...stdioKeys, ...lifetimeKeys,
]);

export interface Checked {
  creates: Set<NamespaceType>;
  join: JoinRequest | null;
  preserveCredentials: boolean;
  pidForChildrenOnly: boolean;
  mounts: Mounts;
  user: UserSetup;
  keepCapabilities: boolean;
  network: NetworkPlan;
  uts: UtsPlan;
  proc: ProcPlan;
  time: TimePlan;
  cgroup: string | null;
  setTid: number[];
  program: ProgramSetup;
  credentials: Credentials;
  stdio: StdioSlot[];
  lifetime: Lifetime;
}

export function checkOptions(value: unknown, file: string): Checked {
  const options = value === undefined ? (Object.create(null) as Record<string, unknown>) : checkObject(value, 'options');
  checkKeys(options, optionKeys, 'spawn option');
  // First, so that a step failing while the rest is checked (a join target found reaped) can be
  // reported on an NsChild with the right pipe slots.
  const stdio = checkStdio(options);
  try {
    return checkTheRest(options, file, stdio);
  } catch (error) {
    throw error instanceof StepFailure ? new PreparationFailure(error, pipeSlots(stdio)) : error;
  }
}

/**
 * The groups' checks, in the order they ran in before the options were split into groups: when
 * several options are wrong, the first of them in this order is the one reported.
 */
function checkTheRest(options: Record<string, unknown>, file: string, stdio: StdioSlot[]): Checked {
  const creates = checkCreates(options);
  const join = checkJoin(options, creates);
  const env = checkEnv(options);
  const credentials = checkCredentials(options);
  const setTid = checkSetTid(options);
  const proc = checkMountProc(options, creates, join);
  const preserveCredentials = checkPreserveCredentials(options, join);
  const pidForChildrenOnly = checkPidForChildrenOnly(options, creates, join, proc.mountProc, setTid);
  const mounts = checkMounts(options, creates);
  const keepCapabilities = checkKeepCapabilities(options, creates);
  const network = checkNetwork(options, creates);
  const user = checkUserSetup(options, creates);
  const uts = checkUts(options, creates);
  const time = checkTime(options, creates);
  const cgroup = checkCgroup(options);
  const cwd = checkCwd(options);
  const paths = searchPath(file, env.path);
  const argv0 = checkArgv0(options, file);
  const lifetime = checkLifetime(options);
  return {
    creates, join, preserveCredentials, pidForChildrenOnly, mounts, user, keepCapabilities, network, uts, proc, time,
    cgroup, setTid, program: { argv0, envp: env.envp, paths, cwd }, credentials, stdio, lifetime,
  };
}
