/**
 * Which probe() features a scenario needs, read from its steps. A scenario is skipped only when
 * the host lacks one of these (nsbridge verify says which); everything else must run.
 */
import type { FeatureName } from '../probe.js';
import type { Scenario, Step } from '../model/steps.js';

function featuresOfStep(step: Step): FeatureName[] {
  const needs: FeatureName[] = [];
  const kinds = 'namespaces' in step && Array.isArray(step.namespaces) ? step.namespaces : [];
  if (kinds.includes('time') || step.op === 'writeTimeOffsets' || step.op === 'readTimeOffsets' || ('entry' in step && step.entry.startsWith('time'))) {
    needs.push('timeNamespaces');
  }
  if (kinds.includes('user')) needs.push('userNamespaces');
  if (step.op === 'clone3') needs.push('clone3');
  if (step.op === 'pidfdOpen' || step.op === 'pidfdSendSignal') needs.push('pidfd');
  if (step.op === 'translatePid') needs.push('pidTranslation');
  return needs;
}

export function requiredFeatures(scenario: Pick<Scenario, 'steps'>): FeatureName[] {
  return [...new Set(scenario.steps.flatMap(featuresOfStep))].sort();
}
