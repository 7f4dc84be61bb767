/**
 * nsbridge/model — a pure-TypeScript model of the Linux kernel's namespace rules. It needs no
 * addon and no Linux: import it anywhere to predict what clone3 / unshare / setns / kill / wait /
 * the nsfs ioctls / uid maps / time offsets would do, with the rule and the reason.
 *
 *   import { Model } from 'nsbridge/model';
 *   const model = new Model();
 *   model.apply({ op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] }); // → ok 3
 *   model.apply({ op: 'getpid', proc: 'a' });                                     // → ok 1
 *
 * `nsbridge verify` checks the model against the running kernel.
 */
export { Model, predict } from './model.js';
export { createWorld, DEFAULT_CONFIG } from './create-world.js';
export { allRules, ruleById, type Rule } from './rules.js';
export { explain, type FailureContext } from './explain.js';
export type * from './steps.js';
export { AREAS, SIGNALS } from './steps.js';
export type { ModelResult, World, WorldConfig, Process, Namespace, UserNamespace, PidNamespace, TimeNamespace, Handle, Credentials, IdMapLine, NsId, NamespaceBase, PlainNamespace, ReceivedSignal, Thread, TaskNamespaces, TaskId } from './world.js';
