import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_TYPES, probe } from '../src/index.js';
import { itWith } from './helpers/features.js';

const report = probe();

describe('probe()', () => {
  it('reports the kernel release and the caller', () => {
    expect(report.kernel.release).toBe(release());
    expect(report.kernel.version[0]).toBe(Number(release().split('.')[0]));
    expect(report.uid).toBe(process.getuid!());
    expect(report.privileged).toBe(process.getuid!() === 0);
  });

  it('reports each namespace kind as /proc/self/ns shows it', () => {
    for (const type of NAMESPACE_TYPES) {
      expect(report.namespaces[type].supported, type).toBe(existsSync(`/proc/self/ns/${type}`));
    }
  });

  for (const [name, feature] of Object.entries({ ...report.namespaces, ...report.features })) {
    itWith(feature.supported, `this host lacks it: ${feature.detail}`, `reports ${name} as present`, () => {
      expect(feature.supported).toBe(true);
      expect(feature.detail).not.toBe('');
    });
  }
});
