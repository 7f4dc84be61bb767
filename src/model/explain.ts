/**
 * The model's reasons as hints for real failures. When a system call (or a spawn() setup step)
 * fails with an errno that a model rule gives for that call and namespace kind, the error carries
 * that rule's reason. The rules register themselves when their modules load, so this imports the
 * model's operations.
 */
import type { NamespaceType } from '../kinds.js';
import './model.js';
import { allRules, type Rule } from './rules.js';
import { kindOf } from '../kinds.js';
import { describe } from '../validate.js';

export interface FailureContext {
  /** The system call or /proc file: 'setns', 'unshare', 'clone3', 'uid_map', 'timens_offsets', … */
  syscall: string | readonly string[];
  /** errno name. */
  code: string;
  /** The namespace kind the call was about, where there is one. */
  kind?: NamespaceType;
  /** Only rules whose id contains this ('set-tid' for a set_tid failure of clone3). */
  ruleIdIncludes?: string;
}

/** A rule's syscall may name several calls or files: 'clone3/unshare', 'uid_map/gid_map', 'setgroups file'. */
function matches(rule: Rule, syscalls: readonly string[], code: string): boolean {
  return rule.errno === code && rule.syscall.split(/[/ ]/).some((name) => syscalls.includes(name));
}

const byRank = (a: Rule, b: Rule): number => (a.hintRank ?? 10) - (b.hintRank ?? 10);

/**
 * The model's reason for this failure, or undefined when no rule gives this errno for this call.
 * Rules about the failing kind come first; when several rules fit, the two likeliest (hintRank)
 * are joined with " — or: " (the errno alone cannot tell them apart).
 */
export function explain(context: FailureContext): string | undefined {
  checkContext(context);
  const syscalls = typeof context.syscall === 'string' ? [context.syscall] : context.syscall;
  const candidates = allRules().filter(
    (rule) => matches(rule, syscalls, context.code) && (context.ruleIdIncludes === undefined || rule.id.includes(context.ruleIdIncludes)),
  );
  const forKind = context.kind === undefined ? [] : candidates.filter((rule) => rule.kinds?.includes(context.kind!));
  const general = candidates.filter((rule) => rule.kinds === undefined || rule.kinds.length === 0);
  // Without a kind, rules about some kind still apply (timens_offsets rules are time rules).
  const chosen = (forKind.length > 0 ? forKind : general.length > 0 || context.kind !== undefined ? general : candidates).sort(byRank);
  if (chosen.length === 0) return undefined;
  const reasons = [...new Set(chosen.map((rule) => rule.reason))].slice(0, 2);
  return reasons.join(' — or: ');
}

function checkContext(context: unknown): asserts context is FailureContext {
  if (typeof context !== 'object' || context === null) throw new TypeError(`context must be an object, got ${describe(context)}`);
  const { syscall, code, kind, ruleIdIncludes } = context as Record<string, unknown>;
  const names = Array.isArray(syscall) ? syscall : [syscall];
  if (names.some((name) => typeof name !== 'string')) throw new TypeError(`context.syscall must be a string or an array of strings, got ${describe(syscall)}`);
  if (typeof code !== 'string') throw new TypeError(`context.code must be an errno name, got ${describe(code)}`);
  if (kind !== undefined) kindOf(kind, 'context.kind');
  if (ruleIdIncludes !== undefined && typeof ruleIdIncludes !== 'string') throw new TypeError(`context.ruleIdIncludes must be a string, got ${describe(ruleIdIncludes)}`);
}
