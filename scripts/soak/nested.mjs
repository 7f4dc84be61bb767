// The soak's second part, run by scripts/soak.mjs as root of a new user namespace (spawn() with
// mapRootUser, so this process is single-user: only id 0 is mapped): the NESTED_MIXES, with the
// same before / after checks on this process as the main soak. Prints its result as JSON on
// stdout. Arguments: --spawns N --seed N --in-flight N (always given by soak.mjs).
import { writeFileSync } from 'node:fs';
import { NESTED_MIXES } from './nested-mixes.mjs';
import { parseOptions } from './options.mjs';
import { shuffled } from './random.mjs';
import { runSoak } from './runner.mjs';
import { snapshot } from './host.mjs';
import { evaluate } from './report.mjs';

const options = parseOptions(process.argv.slice(2));
// The ipc-namespace limit of this user namespace, so that unshare:ipc can fail with ENOSPC. Only
// a process inside the user namespace can set it, and it is this namespace's own.
writeFileSync('/proc/sys/user/max_ipc_namespaces', '0\n');

const order = shuffled(NESTED_MIXES, options.seed);
const quietly = { inFlight: options.inFlight, checkpoint: Infinity, fixtures: {}, log: () => {} };
const warmup = await runSoak({ ...quietly, order, spawns: order.length });
await snapshot(); // the measuring warms up too (see soak.mjs)
const before = await snapshot();
const soak = await runSoak({ ...quietly, order, spawns: options.spawns });
const after = await snapshot(before);
const checks = evaluate({ before, after, warmup, soak, cleanupProblems: [] }).filter((check) => check.name !== 'cleanup');
process.stdout.write(
  JSON.stringify({
    spawns: options.spawns,
    seconds: soak.seconds,
    order: order.map((mix) => ({ name: mix.name, expect: mix.expect })),
    mixes: Object.fromEntries(soak.perMix),
    unexpected: [...warmup.unexpected, ...soak.unexpected],
    checks,
  }),
);
