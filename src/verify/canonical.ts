/**
 * Namespace ids differ between the backends (the model's 'pid:7', the kernel's inode numbers), so
 * each side's ids are renamed N1, N2, … in order of first appearance in its results before the
 * two are compared. Two runs agree when they show the same namespaces in the same places.
 */
import type { NsRef, StepResult, Value } from '../model/steps.js';

function isNsRef(value: Value): value is NsRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.ns === 'string' && Object.keys(value).length === 1;
}

function rename(value: Value, names: Map<string, string>): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => rename(item, names));
  if (isNsRef(value)) {
    let name = names.get(value.ns);
    if (name === undefined) {
      name = `N${names.size + 1}`;
      names.set(value.ns, name);
    }
    return { ns: name };
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rename(item, names)]));
}

/** The results with namespace ids renamed; only the comparable part (ok / value / errno) is kept. */
export function canonicalResults(results: readonly StepResult[]): StepResult[] {
  const names = new Map<string, string>();
  return results.map((result) => {
    if (!result.ok) return { ok: false, errno: result.errno };
    return result.value === undefined ? { ok: true } : { ok: true, value: rename(result.value, names) };
  });
}

/** A result in one short line: 'ok', 'ok 3', 'ok {"pid":2,"code":0}', 'EINVAL'. */
export function formatResult(result: StepResult): string {
  if (!result.ok) return result.errno;
  return result.value === undefined ? 'ok' : `ok ${JSON.stringify(result.value)}`;
}

export function sameResult(a: StepResult, b: StepResult): boolean {
  return formatResult(a) === formatResult(b);
}
