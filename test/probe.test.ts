import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_TYPES, probe } from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';

const report = probe();

describe('probe()', () => {
  it('reports the kernel release and the caller', () => {
    expect(report.kernel.release).toBe(release());
    expect(report.kernel.version[0]).toBe(Number(release().split('.')[0]));
    expect(report.uid).toBe(process.getuid!());
    // CAP_SYS_ADMIN in the initial user namespace (whose uid_map maps every id to itself).
    const initialUserNs = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';
    expect(report.privileged).toBe(isRoot && initialUserNs);
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
