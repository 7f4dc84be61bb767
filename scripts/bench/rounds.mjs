// What the benchmarks share to hold on a noisy machine: contenders measured round by round, each
// round running every contender once in a rotating order (so none always goes first, or always
// follows the same neighbour), and results given as the median over rounds with its spread
// (p25–p75) — of a contender's own figure, or of its per-round ratio to a reference measured in the
// same round. A noisy minute then moves one round's figures together instead of one contender's.

/** The contenders in round `r`'s order: the list rotated by r. */
export function rotation(list, r) {
  const n = list.length;
  return list.map((_, i) => list[(i + r) % n]);
}

/** The q-quantile (0..1) of numbers, by nearest rank (q = 0.5 of an even count: the mean of the middle two). */
export function quantile(values, q) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  if (q === 0.5) return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return s[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
}

export const median = (values) => quantile(values, 0.5);

/** { median, p25, p75, n } of numbers (rounded to `digits`). */
export function spread(values, digits = 3) {
  const r = (x) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
  return { median: r(quantile(values, 0.5)), p25: r(quantile(values, 0.25)), p75: r(quantile(values, 0.75)), n: values.filter((v) => Number.isFinite(v)).length };
}

/** Per-round a / b (rounds where either is missing are skipped). */
export function perRoundRatios(a, b) {
  return a.map((x, i) => (Number.isFinite(x) && Number.isFinite(b[i]) && b[i] !== 0 ? x / b[i] : NaN)).filter(Number.isFinite);
}

/** Per-round a - b. */
export function perRoundDifferences(a, b) {
  return a.map((x, i) => (Number.isFinite(x) && Number.isFinite(b[i]) ? x - b[i] : NaN)).filter(Number.isFinite);
}

/** "1.45× (1.40–1.52)" or "12.3 (10.1–14.0)" for a spread. */
export function formatSpread(s, digits, unit = '') {
  if (s === null || s.median === null) return '—';
  const f = (x) => x.toFixed(digits);
  return `${f(s.median)}${unit} (${f(s.p25)}–${f(s.p75)})`;
}

export function markdownTable(head, rows, alignRightFrom) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < alignRightFrom ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/**
 * The command line the interleaved benchmarks share: `--rounds N --iterations N --json`, `-h`.
 * Prints the usage and exits 0 for -h; exits 1 naming an unknown argument or a bad number.
 * @param {string} name the npm script ('bench:netns'), for messages
 * @param {string} usage
 * @param {{ rounds: number, iterations: number }} defaults
 * @returns {{ rounds: number, iterations: number, json: boolean, die: (msg: string) => never }}
 */
export function benchArguments(name, usage, defaults) {
  const args = process.argv.slice(2);
  /** @type {(msg: string) => never} */
  const die = (msg) => {
    process.stderr.write(`${name}: ${msg}\n`);
    process.exit(1);
  };
  if (args.includes('-h') || args.includes('--help')) {
    console.log(usage);
    process.exit(0);
  }
  const numbers = { rounds: defaults.rounds, iterations: defaults.iterations };
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--rounds' || arg === '--iterations') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1) die(`${arg} needs a positive integer, got ${args[i]}`);
      numbers[arg === '--rounds' ? 'rounds' : 'iterations'] = n;
    } else die(`unknown argument: ${arg}\n${usage}`);
  }
  return { ...numbers, json, die };
}
