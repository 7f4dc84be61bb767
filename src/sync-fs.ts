/**
 * node:fs, loaded with require(). An ESM `import … from 'node:fs'` builds the builtin's ESM facade,
 * which reads every export and so loads fs's lazily made streams and promises (~3 ms of every start
 * on a 2-vCPU VM; scripts/bench/startup.mjs). The modules on the start-up path import fs from here.
 */
import { createRequire } from 'node:module';

const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

export const { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } = fs;
