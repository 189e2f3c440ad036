#!/usr/bin/env node
// npm run eval -- --images DIR [--pairs PAIRS.csv] [--spoof DIR] [--blink DIR] [--make-spoof OUT] [--provider wasm|webgpu] [--threads N]
// The real browser pipeline over labelled photos; JSON on stdout, progress on stderr (scripts/eval.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { runnerImport } from 'vite';

const { values } = parseArgs({
  options: { images: { type: 'string' }, pairs: { type: 'string' }, spoof: { type: 'string' }, blink: { type: 'string' }, 'make-spoof': { type: 'string' }, provider: { type: 'string' }, threads: { type: 'string' } },
});
const here = dirname(fileURLToPath(import.meta.url));
const prov = spawnSync(process.execPath, [join(here, 'provision-models.mjs'), '--quiet'], { stdio: 'inherit' });
if (prov.status !== 0) process.exit(1);
const { module } = await runnerImport(join(here, 'eval.ts'), { configFile: false, logLevel: 'error' });
const started = performance.now();
try {
  const { 'make-spoof': makeSpoof, ...rest } = values;
  const result = await module.runEval({ ...rest, makeSpoof, threads: values.threads ? Number(values.threads) : undefined }, (m) => console.error(`[eval] ${m}`));
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.error(`[eval] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
