// The soak's verdict: each check with its figures, and the report as a table or as JSON.

export const RSS_GROWTH_LIMIT_MIB = 20;

/** Each check: { name, pass, detail }. */
export function evaluate({ before, after, warmup, soak, cleanupProblems }) {
  const mountLines = (text) => text.split('\n').filter(Boolean).length;
  const growth = after.rssMiB - before.rssMiB;
  const leaked = after.fds.filter((fd) => !before.fds.includes(fd)).map((fd) => `${fd} -> ${after.fdTargets[fd]}`);
  const closed = before.fds.filter((fd) => !after.fds.includes(fd)).map((fd) => `${fd} (was ${before.fdTargets[fd]})`);
  return [
    {
      name: 'fds',
      pass: leaked.length === 0 && closed.length === 0,
      detail: `before ${before.fds.length}, after ${after.fds.length}${leaked.length ? `; new: ${leaked.join(', ')}` : ''}${closed.length ? `; gone: ${closed.join(', ')}` : ''}`,
    },
    { name: 'zombie children', pass: after.zombies.length === 0, detail: `after ${after.zombies.length}${after.zombies.length ? ` (${after.zombies.join(' ')})` : ''}` },
    {
      name: 'child processes',
      pass: JSON.stringify(after.children) === JSON.stringify(before.children),
      detail: `before ${before.children.length}, after ${after.children.length}${after.children.length ? ` (${after.children.join(' ')})` : ''}`,
    },
    {
      name: 'mounts',
      pass: after.mounts === before.mounts,
      detail: after.mounts === before.mounts ? `unchanged (${mountLines(before.mounts)} lines of mountinfo)` : `before ${mountLines(before.mounts)} lines, after ${mountLines(after.mounts)}`,
    },
    {
      name: 'RSS growth',
      pass: growth < RSS_GROWTH_LIMIT_MIB,
      detail:
        `before ${before.rssMiB.toFixed(1)} MiB, after ${after.rssMiB.toFixed(1)} MiB: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB (limit < ${RSS_GROWTH_LIMIT_MIB}); peak ${after.peakMiB.toFixed(1)} MiB; ` +
        `JS heap used ${before.heapUsedMiB.toFixed(1)} -> ${after.heapUsedMiB.toFixed(1)} MiB, new space ${before.newSpaceMiB.toFixed(1)} -> ${after.newSpaceMiB.toFixed(1)} MiB`,
    },
    {
      name: 'unexpected outcomes',
      pass: soak.unexpectedCount === 0 && warmup.unexpectedCount === 0,
      detail: `${soak.unexpectedCount} in the soak, ${warmup.unexpectedCount} in the warm-up`,
    },
    { name: 'cleanup', pass: cleanupProblems.length === 0, detail: cleanupProblems.length ? cleanupProblems.join('; ') : 'soak cgroup, target processes and temp files removed' },
  ];
}

/** The figures of a snapshot, without the mountinfo text. */
const pick = ({ fds, children, zombies, rssMiB, peakMiB, heapUsedMiB, newSpaceMiB, externalMiB }) => ({ fds, children, zombies, rssMiB, peakMiB, heapUsedMiB, newSpaceMiB, externalMiB });

export function toJson({ options, order, soak, warmup, before, after, nested, checks }) {
  return {
    seed: options.seed,
    spawns: options.spawns,
    inFlight: options.inFlight,
    helperSpawns: soak.helperSpawns,
    seconds: Number(soak.seconds.toFixed(3)),
    spawnsPerSecond: Number((options.spawns / soak.seconds).toFixed(1)),
    order: order.map((mix) => mix.name),
    mixes: Object.fromEntries(order.map((mix) => [mix.name, soak.perMix.get(mix.name)])),
    nodeFlags: process.execArgv,
    before: pick(before),
    after: pick(after),
    checkpoints: soak.checkpoints,
    unexpected: [...warmup.unexpected.map((u) => ({ ...u, warmup: true })), ...soak.unexpected],
    userNamespacePart: nested === undefined ? null : { spawns: nested.spawns, seconds: Number(nested.seconds.toFixed(3)), mixes: nested.mixes, unexpected: nested.unexpected },
    checks,
    pass: checks.every((c) => c.pass),
  };
}

export function toText({ options, order, soak, warmup, nested, checks }) {
  const lines = [];
  lines.push(`nsbridge soak: ${options.spawns} spawns (+${soak.helperSpawns} helper spawns), seed ${options.seed}, ${options.inFlight} in flight`);
  lines.push(`duration ${soak.seconds.toFixed(1)} s, ${(options.spawns / soak.seconds).toFixed(0)} spawns/s (node ${process.execArgv.join(' ')})`);
  lines.push('');
  const width = Math.max(...order.map((mix) => mix.name.length), ...(nested?.order ?? []).map((mix) => mix.name.length));
  lines.push(`${'mix'.padEnd(width)}  ${'runs'.padStart(5)}  ${'unexp.'.padStart(6)}  expected outcome`);
  for (const mix of order) {
    const counts = soak.perMix.get(mix.name);
    lines.push(`${mix.name.padEnd(width)}  ${String(counts.runs).padStart(5)}  ${String(counts.unexpected).padStart(6)}  ${mix.expect}`);
  }
  if (nested !== undefined) {
    lines.push('');
    lines.push(`as root of a user namespace (only id 0 mapped, setgroups deny), another Node process: ${nested.spawns} spawns in ${nested.seconds.toFixed(1)} s`);
    for (const mix of nested.order) {
      const counts = nested.mixes[mix.name];
      lines.push(`${mix.name.padEnd(width)}  ${String(counts.runs).padStart(5)}  ${String(counts.unexpected).padStart(6)}  ${mix.expect}`);
    }
    for (const u of nested.unexpected) lines.push(`  unexpected: #${u.index} ${u.mix}: ${u.message}`);
  }
  lines.push('');
  lines.push('RSS after GC at checkpoints: ' + soak.checkpoints.map((p) => `${p.spawns}: ${p.rssMiB.toFixed(1)}`).join(', ') + ' (MiB)');
  const unexpected = [...warmup.unexpected.map((u) => ({ ...u, mix: `${u.mix} (warm-up)` })), ...soak.unexpected];
  if (unexpected.length) {
    lines.push('');
    lines.push('unexpected outcomes (first ones):');
    for (const u of unexpected) lines.push(`  #${u.index} ${u.mix}: ${u.message}`);
  }
  lines.push('');
  for (const check of checks) lines.push(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name.padEnd(28)} ${check.detail}`);
  lines.push('');
  lines.push(checks.every((c) => c.pass) ? 'soak passed' : `soak FAILED (repeat with --seed ${options.seed})`);
  return lines.join('\n');
}
