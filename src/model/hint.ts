/**
 * The model's reason for a real failure, as spawn() and the raw calls attach it to their errors.
 * How a failure is matched to rules is here (explainWith); explain.ts applies it to the live
 * registry of the loaded model, modelHint() to the model's failure rules as data
 * (failure-rules.ts), so that an error's hint — computed when the error is made, synchronously —
 * needs none of the model's ~40 modules of operations. The two give the same text for the same
 * context (test/model-hints.test.ts). Nothing here imports the model.
 */
import type { NamespaceType } from '../kinds.js';
import { FAILURE_RULES } from './failure-rules.js';
import type { Rule } from './rules.js';

/** A real failure to explain: the call, its errno and, where there is one, the namespace kind. */
export interface FailureContext {
  /** The system call or /proc file: 'setns', 'unshare', 'clone3', 'uid_map', 'timens_offsets', … */
  syscall: string | readonly string[];
  /** errno name. */
  code: string;
  /** The namespace kind the call was about, where there is one. */
  kind?: NamespaceType;
  /** Only rules about this part of the call (a set_tid failure of clone3: 'set_tid'). */
  topic?: RuleTopic;
}

/**
 * Parts of a call that a failure can be narrowed to: 'set_tid' (clone3's set_tid checks),
 * 'create' (the creation of a new namespace by clone3 or unshare, not the rest of clone3).
 */
export const RULE_TOPICS = ['set_tid', 'create'] as const;
export type RuleTopic = (typeof RULE_TOPICS)[number];

/** What explaining reads of a rule. */
export type ReasonRule = Pick<Rule, 'id' | 'calls' | 'errno' | 'topic' | 'kinds' | 'reason' | 'hintRank'>;

function matches(rule: ReasonRule, syscalls: readonly string[], code: string): boolean {
  return rule.errno === code && rule.calls.some((call) => syscalls.includes(call));
}

const byRank = (a: ReasonRule, b: ReasonRule): number => (a.hintRank ?? 10) - (b.hintRank ?? 10);

/**
 * The reason `rules` (in the model's order) give for this failure, or undefined when none gives
 * this errno for this call. Rules about the failing kind come first; when several rules fit, the
 * two likeliest (hintRank) are joined with " — or: " (the errno alone cannot tell them apart).
 * `context` is not checked here (explain() checks what users give it).
 */
export function explainWith(rules: readonly ReasonRule[], context: FailureContext): string | undefined {
  const syscalls = typeof context.syscall === 'string' ? [context.syscall] : context.syscall;
  const candidates = rules.filter(
    (rule) => matches(rule, syscalls, context.code) && (context.topic === undefined || rule.topic === context.topic),
  );
  const forKind = context.kind === undefined ? [] : candidates.filter((rule) => rule.kinds?.includes(context.kind!));
  const general = candidates.filter((rule) => rule.kinds === undefined || rule.kinds.length === 0);
  // Without a kind, rules about some kind still apply (timens_offsets rules are time rules).
  const chosen = (forKind.length > 0 ? forKind : general.length > 0 || context.kind !== undefined ? general : candidates).sort(byRank);
  if (chosen.length === 0) return undefined;
  const reasons = [...new Set(chosen.map((rule) => rule.reason))].slice(0, 2);
  return reasons.join(' — or: ');
}

/** The model's reason for this failure (explain() without loading the model), or undefined. */
export function modelHint(context: FailureContext): string | undefined {
  return explainWith(FAILURE_RULES, context);
}
