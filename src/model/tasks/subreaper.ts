/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below the caller come to it instead of to init. */
import { proc } from '../access.js';
import { defineRule, success } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import type { SetSubreaperStep } from '../../ops/set-subreaper.js';

const RULE_SET_SUBREAPER = defineRule({
  id: 'prctl.set-child-subreaper',
  calls: ['prctl'],
  errno: null,
  kinds: ['pid'],
  reason: 'PR_SET_CHILD_SUBREAPER: orphaned descendants in the caller\'s pid namespace are reparented to the caller (the nearest living subreaper) instead of to the namespace\'s init; it is not inherited',
  source: 'kernel/sys.c PR_SET_CHILD_SUBREAPER; kernel/exit.c find_new_reaper (walks ancestors while their pid level is the same)',
});

export function setSubreaper(world: World, step: SetSubreaperStep): ModelResult {
  proc(world, step.proc).subreaper = true;
  return success(RULE_SET_SUBREAPER);
}
