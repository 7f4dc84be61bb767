// Runs `spawns` mixes, cycling through `order`, with at most `inFlight` at once. Every run that
// does not end exactly as its mix expects is recorded as unexpected; RSS (after a full GC) is
// taken every `checkpoint` completed spawns.
import { heapFigures, peakRss, rssAfterGc } from './host.mjs';

// A spawn that has not settled by then is stuck: recorded, and the run goes on.
const STUCK_AFTER_MS = 30_000;

function withDeadline(promise, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${STUCK_AFTER_MS} ms`)), STUCK_AFTER_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Records at most this many unexpected outcomes in full (all are counted). */
const KEEP_UNEXPECTED = 50;

/**
 * @typedef {{ index: number, mix: string, message: string }} UnexpectedOutcome
 * @typedef {{ spawns: number, seconds: number, rssMiB: number, peakMiB: number } & ReturnType<typeof heapFigures>} Checkpoint
 */

export async function runSoak({ order, spawns, inFlight, checkpoint, fixtures, log }) {
  const perMix = new Map(order.map((mix) => [mix.name, { runs: 0, unexpected: 0 }]));
  /** @type {{ perMix: typeof perMix, unexpected: UnexpectedOutcome[], unexpectedCount: number, helperSpawns: number, checkpoints: Checkpoint[], seconds?: number }} */
  const result = { perMix, unexpected: [], unexpectedCount: 0, helperSpawns: 0, checkpoints: [] };
  const tally = { helperSpawns: 0 };
  let next = 0;
  let done = 0;
  const started = performance.now();

  async function runOne(index) {
    const mix = order[index % order.length];
    const counts = perMix.get(mix.name);
    counts.runs++;
    try {
      await withDeadline(Promise.resolve().then(() => mix.run(fixtures, tally)), mix.name);
    } catch (error) {
      counts.unexpected++;
      result.unexpectedCount++;
      const { name, message } = /** @type {Error} */ (error);
      if (result.unexpected.length < KEEP_UNEXPECTED) result.unexpected.push({ index, mix: mix.name, message: `${name}: ${message}` });
    }
    // Counted before the await below, so that other workers finishing meanwhile do not move it.
    const count = ++done;
    if (count % checkpoint === 0 || count === spawns) {
      const point = { spawns: count, seconds: (performance.now() - started) / 1000, rssMiB: await rssAfterGc(), peakMiB: peakRss(), ...heapFigures() };
      result.checkpoints.push(point);
      log(`  ${String(count).padStart(6)} spawns  ${point.seconds.toFixed(1).padStart(6)} s  RSS ${point.rssMiB.toFixed(1)} MiB (peak ${point.peakMiB.toFixed(1)}, JS heap ${point.heapUsedMiB.toFixed(1)} used, new space ${point.newSpaceMiB.toFixed(1)}, external ${point.externalMiB.toFixed(1)})  unexpected ${result.unexpectedCount}`);
    }
  }

  async function worker() {
    while (next < spawns) await runOne(next++);
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, spawns) }, worker));
  result.seconds = (performance.now() - started) / 1000;
  result.helperSpawns = tally.helperSpawns;
  return result;
}
