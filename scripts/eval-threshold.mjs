#!/usr/bin/env node
// node scripts/eval-threshold.mjs [--out FILE]
// Prints the recogniser's threshold evidence as JSON (see scripts/eval-threshold.ts).
// Plain Node 20 cannot import TypeScript, so Vite's module runner loads the .ts sources.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const outIdx = process.argv.indexOf('--out');
const { module } = await runnerImport(join(here, 'eval-threshold.ts'), { configFile: false, logLevel: 'error' });
const started = performance.now();
const result = await module.runThresholdEval((m) => console.error(`[eval] ${m}`));
result.seconds = Math.round((performance.now() - started) / 100) / 10;
const json = JSON.stringify(result, null, 2);
if (outIdx > 0 && process.argv[outIdx + 1]) writeFileSync(process.argv[outIdx + 1], json + '\n');
console.log(json);
