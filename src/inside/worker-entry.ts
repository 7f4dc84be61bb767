/**
 * The first module of a namespaceWorker(): on the worker's own OS thread it joins the namespaces
 * the parent asked for (setns on this thread only), then imports the user's module. If a join
 * fails, the user's module never runs and the worker ends with the setns error as its 'error'.
 */
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { addon } from '../native/addon.js';
import { WORKER_PLAN_KEY, type WorkerPlan } from './worker-plan.js';

const plan = getEnvironmentData(WORKER_PLAN_KEY) as WorkerPlan | undefined;
if (plan === undefined) throw new Error('nsbridge: worker-entry.js is started by namespaceWorker() only');
// Workers this worker starts copy its environmentData: they must not see the plan.
setEnvironmentData(WORKER_PLAN_KEY, undefined);
for (const join of plan.joins) {
  try {
    addon().setns(join.fd, join.flag);
  } catch (error) {
    throw Object.assign(error as Error, { message: `${(error as Error).message} (joining the ${join.type} namespace ${join.inode})`, namespaceType: join.type });
  }
}
await import(plan.module);
