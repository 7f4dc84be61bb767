// The outcome every soak spawn must have: an exact exit status for a program that ran, an exact
// step / code (and syscall where it is stable) for a setup failure. Anything else throws
// Unexpected, which the runner counts (and any count fails the run).
import { once } from 'node:events';
import { constants } from 'node:os';
import { SpawnError } from '../../dist/index.js';

export class Unexpected extends Error {
  /** @override */
  name = 'Unexpected';
}

/**
 * @param {unknown} condition
 * @param {string} message
 * @returns {asserts condition}
 */
function check(condition, message) {
  if (!condition) throw new Unexpected(message);
}

const show = (value) => (value instanceof Error ? `${value.name}: ${value.message}` : JSON.stringify(value));

/** The promise's outcome as data, never a rejection. */
function settle(promise) {
  return promise.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
}

/** No process was started; if one was, it is stopped and reaped first, so it leaks nothing. */
async function expectNoProcess(child) {
  if (child.pid === undefined && child.process === null) return;
  child.kill('SIGKILL');
  const exit = await settle(child.exited);
  child.process?.close();
  throw new Unexpected(`a process was started (pid ${child.pid}, ${show(exit.value ?? exit.error)})`);
}

/**
 * `child` ran and ended with exactly `status` ({ code, signal }); its pidfd was closed by the
 * reap. With `close`, also waits for 'close' (every stdio stream ended).
 */
export async function expectExit(child, status, { close = false } = {}) {
  const closed = close ? once(child, 'close') : null;
  const ready = await settle(child.ready);
  check(!('error' in ready), `ready rejected: ${show(ready.error)}`);
  check(Number.isInteger(child.pid), `pid is ${child.pid}`);
  const exited = await settle(child.exited);
  check(!('error' in exited), `exited rejected: ${show(exited.error)}`);
  check(exited.value.code === status.code && exited.value.signal === status.signal, `exit ${show(exited.value)}, expected ${show(status)}`);
  check(child.process.reaped && child.process.closed, 'the pidfd is still open after the reap');
  if (closed !== null) {
    const [code, signal] = await closed;
    check(code === status.code && signal === status.signal, `'close' with ${show({ code, signal })}`);
  }
}

/**
 * `child` failed in setup with `expected` ({ step, code, syscall? }): no process, `ready` and
 * `exited` reject with the same SpawnError, errno matches the code, path is the program.
 */
export async function expectFailure(child, file, expected) {
  await expectNoProcess(child);
  const ready = await settle(child.ready);
  const exited = await settle(child.exited);
  check('error' in ready, 'ready resolved');
  const error = ready.error;
  check(error instanceof SpawnError, `not a SpawnError: ${show(error)}`);
  check(exited.error === error, 'exited did not reject with the same error');
  check(error.step === expected.step && error.code === expected.code, `${error.step} ${error.code} (${error.syscall}), expected ${expected.step} ${expected.code}`);
  if (expected.syscall !== undefined) check(error.syscall === expected.syscall, `syscall ${error.syscall}, expected ${expected.syscall}`);
  check(error.errno === -constants.errno[expected.code], `errno ${error.errno} for ${error.code}`);
  check(error.path === file, `path ${error.path}, expected ${file}`);
}

/** `child` was never started because its AbortSignal had aborted: AbortError, no process. */
export async function expectAbortedBeforeStart(child) {
  await expectNoProcess(child);
  const ready = await settle(child.ready);
  check('error' in ready && ready.error.name === 'AbortError' && ready.error.code === 'ABORT_ERR', `ready: ${show(ready.error ?? ready.value)}`);
  const exited = await settle(child.exited);
  check(exited.error === ready.error, 'exited did not reject with the same AbortError');
}

export { check };
