/**
 * The docs run as written. Every fenced code block of README.md and RELIABILITY.md is extracted:
 * - ```js and ```ts blocks are ES modules: type-checked together under strict settings (the
 *   package's own types, imported as 'nsbridge' as a user would), then run with Node as root —
 *   each must exit 0 with nothing on stderr, and leave no process and no mount behind;
 * - ```sh blocks are run command by command, except the npm commands that install or test this
 *   very checkout (npm ci, npm test, npm run …), which must be scripts CI runs (.ci/run);
 * - ```text blocks that show a command's synopsis (lines starting with "nsbridge <command>") may
 *   name only flags that command's --help lists.
 * Other languages are refused, so no block escapes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isRoot, itWith } from './helpers/features.js';
import { PLAIN_ENV, repoRoot } from './helpers/processes.js';
import { nsbridge } from './helpers/cli.js';

const DOCS = ['README.md', 'RELIABILITY.md'];
const LANGUAGES = ['js', 'ts', 'sh', 'text'] as const;
type Language = (typeof LANGUAGES)[number];

interface Block {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: Language;
  code: string;
  /** A file name for it: README-123.mjs */
  name: string;
}

function extractBlocks(doc: string): Block[] {
  const lines = readFileSync(join(repoRoot, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const lang = open[1]!;
    if (!(LANGUAGES as readonly string[]).includes(lang)) throw new Error(`${doc}:${start + 1}: a code block in '${lang || '(none)'}': use one of ${LANGUAGES.join(', ')}`);
    const base = `${doc.replace(/\.md$/, '')}-${start + 1}`;
    blocks.push({ doc, line: start + 1, lang: lang as Language, code: body.join('\n') + '\n', name: lang === 'ts' ? `${base}.ts` : `${base}.mjs` });
  }
  return blocks;
}

const blocks = DOCS.flatMap(extractBlocks);
const modules = blocks.filter((b) => b.lang === 'js' || b.lang === 'ts');
// Inside the package, so that `import … from 'nsbridge'` resolves to it (a package's self-reference).
const dir = join(repoRoot, 'build', 'doc-examples');

/** Writes the module blocks (and a strict tsconfig over them) into build/doc-examples. */
function writeModules(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const block of modules) writeFileSync(join(dir, block.name), block.code);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', lib: ['ES2023', 'ESNext.Disposable'], module: 'NodeNext', moduleResolution: 'NodeNext',
        strict: true, allowJs: true, checkJs: true, noEmit: true, skipLibCheck: false, types: ['node'],
      },
      include: ['*.ts', '*.mjs'],
    }),
  );
}

/** Pids of processes whose environment carries `marker` (what an example left running). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * The environment for the shell commands: without the ASan run's LD_PRELOAD, which only node may
 * get (through a `node` on the PATH that preloads it, so that npx's node does).
 */
function shellEnv(): NodeJS.ProcessEnv {
  const preload = process.env.LD_PRELOAD;
  if (!preload) return PLAIN_ENV;
  const bin = join(dir, 'asan-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'node'), `#!/bin/sh\nLD_PRELOAD=${JSON.stringify(preload)} exec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
  return { ...PLAIN_ENV, PATH: `${bin}:${PLAIN_ENV.PATH ?? ''}` };
}

const mountPoints = (): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '').sort();

describe('the docs run as written', () => {
  it('every block is in a language the test knows, and there are blocks of each kind', () => {
    expect(new Set(blocks.map((b) => b.lang))).toEqual(new Set(LANGUAGES));
    expect(modules.length).toBeGreaterThan(4);
  });

  it('the js and ts blocks type-check together under strict settings, against the built package', () => {
    writeModules();
    const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    // tsc reports "build/doc-examples/README-38.mjs(3,1): error …": the name says which block.
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  for (const block of modules) {
    itWith(isRoot, 'the examples create namespaces: they need root', `${block.doc}:${block.line} (${block.lang}) runs with Node and leaves nothing behind`, () => {
      writeModules();
      let file = join(dir, block.name);
      if (block.lang === 'ts') {
        // As a user's build would: tsc's output for Node 20 (`using` lowered to try/finally).
        const output = ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
        file = join(dir, block.name.replace(/\.ts$/, '.mjs'));
        writeFileSync(file, output.outputText);
      }
      const marker = `NSBRIDGE_DOC_EXAMPLE=${block.name}-${process.pid}`;
      const mountsBefore = mountPoints();
      const [key, value] = marker.split('=') as [string, string];
      const result = spawnSync(process.execPath, [file], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, [key]: value }, timeout: 60_000, killSignal: 'SIGKILL' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(processesWith(marker)).toEqual([]);
      expect(mountPoints()).toEqual(mountsBefore);
    });
  }

  for (const block of blocks.filter((b) => b.lang === 'sh')) {
    itWith(isRoot, 'the commands create namespaces: they need root', `${block.doc}:${block.line} (sh): each command runs, or is one CI runs`, () => {
      const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
      const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
      for (const line of block.code.split('\n')) {
        const command = line.replace(/\s+#.*$/, '').trim();
        if (command === '') continue;
        for (const part of command.split('&&').map((p) => p.trim())) {
          const npm = /^npm (ci|test|run (\S+))(\s.*)?$/.exec(part);
          if (npm !== null) {
            // The checkout's own install and test: run by CI on a fresh clone, not from inside the tests.
            if (npm[2] !== undefined) expect(Object.keys(scripts), part).toContain(npm[2]);
            expect(ci, `.ci/run runs \`${part}\``).toMatch(new RegExp(`^\\s*${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').split(/\s+/).join('\\s+')}(\\s|$)`, 'm'));
            continue;
          }
          // (stderr may carry progress lines, as nsbridge verify's)
          const result = spawnSync('sh', ['-c', part], { cwd: repoRoot, encoding: 'utf8', env: shellEnv(), timeout: 120_000, killSignal: 'SIGKILL' });
          expect([part, result.status]).toEqual([part, 0]);
        }
      }
    });
  }

  for (const block of blocks.filter((b) => b.lang === 'text')) {
    const synopsis = block.code.split('\n').filter((line) => /^nsbridge [a-z]+/.test(line));
    if (synopsis.length === 0) continue;
    it(`${block.doc}:${block.line} (text): every flag of each synopsis is one its command has`, () => {
      // A synopsis line starts a command; its continuation lines (indented) belong to it.
      let command = '';
      const flagsOf = new Map<string, Set<string>>();
      for (const line of block.code.split('\n')) {
        const start = /^nsbridge ([a-z]+)/.exec(line);
        if (start !== null) command = start[1]!;
        if (command === '') continue;
        const flags = flagsOf.get(command) ?? new Set<string>();
        const text = line.split(/ {2,}(?=[a-z(])/)[0]!; // not the description column
        for (const match of text.matchAll(/(?<![\w-])(--?[A-Za-z][\w-]*)/g)) flags.add(match[1]!);
        flagsOf.set(command, flags);
      }
      for (const [name, flags] of flagsOf) {
        const help = nsbridge([name, '--help']);
        expect(help.status).toBe(0);
        for (const flag of flags) expect(help.stdout, `nsbridge ${name} --help lists ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}([\\s,=[<]|$)`, 'm'));
      }
    });
  }

  it('the packed package holds LICENSE and every file the docs link to', () => {
    const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 120_000 });
    expect(result.status).toBe(0);
    const packed = new Set((JSON.parse(result.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
    const linked = DOCS.flatMap((doc) =>
      [...readFileSync(join(repoRoot, doc), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target)),
    );
    expect(linked.length).toBeGreaterThan(0);
    for (const path of ['LICENSE', 'README.md', 'package.json', ...DOCS, ...linked]) expect([path, packed.has(path)]).toEqual([path, true]);
  });
});
