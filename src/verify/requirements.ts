/**
 * Which probe() features a scenario needs, read from its steps. A scenario is skipped only when
 * the host lacks one of these (nsbridge verify says which); everything else must run.
 */
import type { FeatureName } from '../probe.js';
import type { Scenario, Step } from '../model/steps.js';
import { descriptorOf } from '../ops/table.js';

function featuresOfStep(step: Step): FeatureName[] {
  const needs: FeatureName[] = [];
  const kinds = 'namespaces' in step && Array.isArray(step.namespaces) ? step.namespaces : [];
  // What the kinds a step names need; the rest its op's descriptor says.
  if (kinds.includes('time') || ('entry' in step && step.entry.startsWith('time'))) needs.push('timeNamespaces');
  if (kinds.includes('user')) needs.push('userNamespaces');
  return [...needs, ...descriptorOf(step).requires(step)];
}

export function requiredFeatures(scenario: Pick<Scenario, 'steps'>): FeatureName[] {
  return [...new Set(scenario.steps.flatMap(featuresOfStep))].sort();
}
