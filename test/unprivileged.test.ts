/**
 * The identity, chain and error checks again, as uid 65534 without capabilities, in a child
 * process started with setpriv (the test runner itself stays root).
 */
import { describe, expect } from 'vitest';
import { probe } from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';
import { NOBODY, SETPRIV_NOBODY, runFixture } from './helpers/processes.js';

const canDrop = isRoot;
const report = probe();

describe('unprivileged (uid 65534)', () => {
  itWith(
    canDrop && report.features.unprivilegedUserNamespaces.supported,
    `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces (${report.features.unprivilegedUserNamespaces.detail})`,
    'identity, parent/owner chains, exited() and error codes hold without privilege',
    () => {
      const observed = runFixture(SETPRIV_NOBODY, 'unprivileged-checks.mjs');
      expect(observed.uid).toBe(NOBODY);
      for (const [type, [ours, stats]] of Object.entries(observed.identity as Record<string, [string, string]>)) {
        expect(ours, type).toBe(stats);
      }
      expect(observed.chains).toEqual({
        pidParentIsOurs: true,
        ourPidParent: null,
        userParentIsOurs: true,
        ownerOfInnerPidIsInnerUser: true,
        innerUserOwnerUid: NOBODY,
        nspid: [observed.chains.expectedOuterPid, 1],
        expectedOuterPid: observed.chains.expectedOuterPid,
        pidInInner: 1,
      });
      expect(observed.childExit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(observed.errors).toEqual({
        setnsRegularFile: { code: 'EINVAL', syscall: 'setns' },
        setnsClosedFd: { code: 'EBADF', syscall: 'setns' },
        setnsKindMismatch: { code: 'EINVAL', syscall: 'setns' },
        setnsOwnNetUnprivileged: { code: 'EPERM', syscall: 'setns' },
        unshareNetUnprivileged: { code: 'EPERM', syscall: 'unshare' },
        pidfdOpenDead: { code: 'ESRCH', syscall: 'pidfd_open' },
      });
    },
  );
});
