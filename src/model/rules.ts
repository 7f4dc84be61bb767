/**
 * The model's rules: every decision an operation makes is one named rule with the errno the kernel
 * gives for it (null for rules that succeed) and a one-line reason in words. Ops refuse by rule,
 * so a failing step always says which rule refused it and why; spawn() and the raw calls use the
 * same reasons as hints (explain.ts).
 */
import type { NamespaceType } from '../kinds.js';
import type { RuleTopic } from './hint.js';
import type { ErrnoName } from './steps.js';
import { RuleFailure, fail, ok, type ModelResult } from './world.js';
import type { Value } from './steps.js';

/** One rule the model decides by: a check of the kernel's, with its errno and its reason. */
export interface Rule {
  /** 'area.short-name', unique. */
  readonly id: string;
  /**
   * The system calls (or /proc files) the rule belongs to, as a failure names its call: 'setns',
   * 'clone3', 'uid_map', '/proc/<pid>/ns', … A hint for a failed call considers the rules that
   * list it here.
   */
  readonly calls: readonly string[];
  /** The errno the kernel gives when the rule refuses; null for a rule that decides a success. */
  readonly errno: ErrnoName | null;
  /** The part of its calls the rule is about, where a failure can narrow the hint to it. */
  readonly topic?: RuleTopic;
  /** The namespace kinds the rule is about, where it is about some (for hint lookup). */
  readonly kinds?: readonly NamespaceType[];
  /** One line, for users: what the kernel checks. */
  readonly reason: string;
  /** Where the rule comes from: 'kernel/nsproxy.c', 'setns(2)', … and, if the docs differ, how. */
  readonly source?: string;
  /**
   * For hints (explain.ts): where several rules give the same errno for the same call, rules with
   * a lower rank are the likelier cause for a program that did not set up anything unusual.
   * Default 10.
   */
  readonly hintRank?: number;
}

const registry = new Map<string, Rule>();

/** Declare a rule (at module load); ids must be unique. */
export function defineRule(rule: Rule): Rule {
  if (registry.has(rule.id)) throw new Error(`duplicate model rule ${rule.id}`);
  registry.set(rule.id, Object.freeze({ ...rule }));
  return rule;
}

/** Every rule of the model, in the order the modules defined them. */
export function allRules(): Rule[] {
  return [...registry.values()];
}

/** The rule with this id (as a ModelResult's `rule` names it), or undefined. */
export function ruleById(id: string): Rule | undefined {
  return registry.get(id);
}

/** End the current op with the rule's errno (the dispatcher catches it). */
export function violate(rule: Rule, detail?: string): never {
  if (rule.errno === null) throw new Error(`rule ${rule.id} is not a failure rule`);
  throw new RuleFailure(fail(rule.errno, rule.id, detail === undefined ? rule.reason : `${rule.reason} (${detail})`));
}

/** Check a condition; violate the rule when it does not hold. */
export function check(condition: boolean, rule: Rule, detail?: string): asserts condition {
  if (!condition) violate(rule, detail);
}

/** A successful result decided by `rule`. */
export function success(rule: Rule, value?: Value): ModelResult {
  return ok(rule.id, rule.reason, value);
}
