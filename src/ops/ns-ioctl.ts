/** The scenario op 'nsIoctl'. */
import { nsIoctl as model } from '../model/namespaces/nsfs-ioctl.js';
import { name, oneOf } from '../model/fields.js';
import type { HandleName, ProcName } from '../model/steps.js';
import { kindOfFlag } from '../kinds.js';
import { pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/**
 * An nsfs ioctl on handle `fd`. NS_GET_PARENT / NS_GET_USERNS put the new fd in handle `as`
 * and result in its NsRef; NS_GET_NSTYPE gives the kind name; NS_GET_OWNER_UID the uid as the
 * caller sees it; NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS translate `target` (see below).
 */
export interface NsIoctlStep {
  /** ioctl(2) on an nsfs fd. */
  op: 'nsIoctl';
  /** The process that makes the call. */
  proc: ProcName;
  /** The namespace fd, by handle, or 'closed'. */
  fd: HandleName;
  /** The ioctl to make. */
  request: 'NS_GET_PARENT' | 'NS_GET_USERNS' | 'NS_GET_NSTYPE' | 'NS_GET_OWNER_UID';
  /** NS_GET_PARENT / NS_GET_USERNS: the handle the new fd becomes (omitted: it is closed again). */
  as?: HandleName;
}

const REQUESTS = ['NS_GET_PARENT', 'NS_GET_USERNS', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID'] as const;

export const nsIoctlOp: OpDescriptor<NsIoctlStep> = {
  shape: [{ proc: name, fd: name, request: oneOf(['NS_GET_PARENT', 'NS_GET_USERNS', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID']) }, { as: name }],
  model,
  kernel: {
    // The reply: the new fd's namespace id (PARENT, USERNS), the CLONE_NEW* flag (NSTYPE), a uid.
    schema: { handler: 'NsIoctl', args: ['fd', { enum: REQUESTS }, 'fd'], reply: ['id'] },
    encode: (step, k) => [k.handle(step.fd), step.request, k.handle(step.as)],
    decode: ([value], _k, step) => {
      if (step.request === 'NS_GET_PARENT' || step.request === 'NS_GET_USERNS') return { ns: String(value) };
      if (step.request === 'NS_GET_NSTYPE') return kindOfFlag(Number(value))?.type ?? Number(value);
      return Number(value);
    },
  },
  requires: NOTHING_MORE,
  random: {
    weight: 1,
    make(r) {
      const request = pick(REQUESTS, r.b);
      return request === 'NS_GET_PARENT' || request === 'NS_GET_USERNS'
        ? { op: 'nsIoctl', proc: r.proc, fd: r.handle, request, as: r.newHandle }
        : { op: 'nsIoctl', proc: r.proc, fd: r.handle, request };
    },
  },
};
