/**
 * lsns's -T/--tree takes its value only when attached (getopt's optional argument): `-Tparent`,
 * `-T=parent` (lsns strips the '='), `--tree=parent`; a bare -T / --tree means 'owner', and in
 * `-T parent` the word is the positional <namespace>. Commander would take the next word as the
 * value of an optional-value option, so the ls arguments are rewritten before commander sees
 * them: a bare -T / --tree gets its default attached, and the option is registered with a
 * required value. Nothing else changes; values of the options that take one are skipped, and
 * nothing after `--` is touched.
 */
const TREE_DEFAULT = 'owner';

/** Short options of `nsbridge ls` that take a value (the rest of the word, else the next one). */
const SHORT_WITH_VALUE = new Set(['o', 'p', 't']);
/** Long options that take a value (`--name value` or `--name=value`). */
const LONG_WITH_VALUE = new Set(['--output', '--task', '--pid', '--type']);

export function attachTreeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (arg === '--tree') {
      out.push(`--tree=${TREE_DEFAULT}`);
      continue;
    }
    out.push(arg);
    if (LONG_WITH_VALUE.has(arg)) {
      if (i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    if (!/^-[^-]/.test(arg)) continue;
    // A cluster of short options, e.g. -lT, -nTparent, -ot (t is the value of -o).
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      if (flag === 'T') {
        if (j === arg.length - 1) out[out.length - 1] = `${arg}${TREE_DEFAULT}`;
        break;
      }
      if (SHORT_WITH_VALUE.has(flag)) {
        if (j === arg.length - 1 && i + 1 < args.length) out.push(args[++i]!);
        break;
      }
    }
  }
  return out;
}
