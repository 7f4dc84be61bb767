/**
 * The model's reasons as hints for real failures. When a system call (or a spawn() setup step)
 * fails with an errno that a model rule gives for that call and namespace kind, the error carries
 * that rule's reason. The rules register themselves when their modules load, so this imports the
 * model's operations. (spawn() and the raw calls do not: they read the same rules from
 * failure-rules.ts through hint.ts, which also holds the matching both use.)
 */
import './model.js';
import { allRules } from './rules.js';
import { explainWith, RULE_TOPICS, type FailureContext } from './hint.js';
import { kindOf } from '../kinds.js';
import { describe } from '../validate.js';

export type { FailureContext };

/**
 * The model's reason for this failure, or undefined when no rule gives this errno for this call.
 * Rules about the failing kind come first; when several rules fit, the two likeliest (hintRank)
 * are joined with " — or: " (the errno alone cannot tell them apart).
 */
export function explain(context: FailureContext): string | undefined {
  checkContext(context);
  return explainWith(allRules(), context);
}

function checkContext(context: unknown): asserts context is FailureContext {
  if (typeof context !== 'object' || context === null) throw new TypeError(`context must be an object, got ${describe(context)}`);
  const { syscall, code, kind, topic } = context as Record<string, unknown>;
  const names = Array.isArray(syscall) ? syscall : [syscall];
  if (names.some((name) => typeof name !== 'string')) throw new TypeError(`context.syscall must be a string or an array of strings, got ${describe(syscall)}`);
  if (typeof code !== 'string') throw new TypeError(`context.code must be an errno name, got ${describe(code)}`);
  if (kind !== undefined) kindOf(kind, 'context.kind');
  if (topic !== undefined && !(RULE_TOPICS as readonly unknown[]).includes(topic)) throw new TypeError(`context.topic must be one of ${RULE_TOPICS.join(', ')}, got ${describe(topic)}`);
}
