/** What namespaceWorker() tells its worker's first module (worker-entry.ts), through environmentData. */
import type { NamespaceType } from '../kinds.js';

/** The environmentData key; set only while the Worker is constructed (its copy is taken then). */
export const WORKER_PLAN_KEY = 'nsbridge:namespace-worker-plan';

export interface WorkerPlan {
  /** The user's module, as a URL string import() takes. */
  module: string;
  /** In join order: an fd the parent keeps open until the worker exits, its CLONE_NEW* flag. */
  joins: { fd: number; flag: number; type: NamespaceType; inode: string }[];
}
