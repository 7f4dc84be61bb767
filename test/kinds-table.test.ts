/**
 * The two tables of namespace kinds agree: src/kinds.ts (every TypeScript layer) and
 * native/ns_kinds.h (flag checks, joins and scans in the addon and the spawn engine), read through
 * the addon's nsKinds(). Either table changed alone fails here.
 */
import { describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, NAMESPACE_TYPES, kindOf } from '../src/kinds.js';
import { addon } from '../src/native/addon.js';

const native = addon().nsKinds();

describe('the namespace kinds tables (src/kinds.ts, native/ns_kinds.h)', () => {
  it('name the same eight kinds, each once', () => {
    expect(native.map((row) => row.name).sort()).toEqual([...NAMESPACE_TYPES].sort());
    expect(NAMESPACE_TYPES).toHaveLength(8);
  });

  // The native order is a rule of its own: creating or joining the user namespace first grants the
  // capabilities for the others, and native code that goes kind by kind walks the table in order.
  it('the native table starts with user', () => {
    expect(native[0]?.name).toBe('user');
  });

  it.each(NAMESPACE_KINDS.map((kind) => [kind.type, kind] as const))('%s: flag, flag name, /proc entries and pidfd ioctl', (type) => {
    const kind = kindOf(type);
    const row = native.find((r) => r.name === type);
    expect(row).toEqual({
      flag: kind.flag,
      flagName: kind.flagName,
      name: kind.procName,
      pidfdIoctl: kind.pidfdIoctl,
      childFile: kind.forChildrenProcName ?? kind.procName,
    });
  });
});
