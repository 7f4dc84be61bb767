/** The rule areas, in report order (the Area type's values). */
import type { Area } from '../model/steps.js';

export const AREAS: readonly Area[] = Object.freeze([
  'pid-numbering', 'visibility', 'orphans', 'signals', 'init', 'clone3', 'threads', 'pidfd', 'ns_last_pid', 'reboot',
  'unshare', 'setns', 'userns', 'timens', 'nsfs', 'random',
] satisfies Area[]);
