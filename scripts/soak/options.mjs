// Command-line flags of the soak (scripts/soak.mjs). Defaults are the full run of issue 6.

export const USAGE = `usage: npm run soak -- [--spawns N] [--nested-spawns N] [--seed N] [--in-flight N] [--checkpoint N] [--json]
  --spawns N         spawns to make (default 10000; CI uses 1500)
  --nested-spawns N  spawns of the part run as root of a user namespace (default: spawns / 5)
  --seed N           seed of the shuffled order of mixes (default: random, printed)
  --in-flight N      spawns running at once (default 16)
  --checkpoint N     print RSS every N spawns (default 1000)
  --json             the report as JSON on stdout (progress stays on stderr)`;

function positiveInteger(flag, text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} needs a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses argv (without node and the script); throws an Error naming the bad flag. */
export function parseOptions(argv) {
  const options = {
    spawns: 10_000,
    seed: Math.floor(Math.random() * 0x7fffffff),
    inFlight: 16,
    checkpoint: 1000,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--spawns': options.spawns = positiveInteger(flag, value()); break;
      case '--seed': options.seed = Number.parseInt(value(), 10); if (!Number.isSafeInteger(options.seed)) throw new Error('--seed needs an integer'); break;
      case '--nested-spawns': options.nestedSpawns = positiveInteger(flag, value()); break;
      case '--in-flight': options.inFlight = positiveInteger(flag, value()); break;
      case '--checkpoint': options.checkpoint = positiveInteger(flag, value()); break;
      case '--json': options.json = true; break;
      case '-h': case '--help': options.help = true; break;
      default: throw new Error(`unknown flag ${JSON.stringify(argv[i])}`);
    }
  }
  options.nestedSpawns ??= Math.ceil(options.spawns / 5);
  return options;
}
