#!/usr/bin/env node
// node scripts/bench-vision.mjs [--runs N] [--threads N] [--match-only]
// Prints per-stage latency and 10k-template match time as JSON (see scripts/bench-vision.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { runnerImport } from 'vite';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const here = dirname(fileURLToPath(import.meta.url));
const { module } = await runnerImport(join(here, 'bench-vision.ts'), { configFile: false, logLevel: 'error' });
const result = { machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`, matching: module.benchMatching() };
if (!process.argv.includes('--match-only')) result.pipeline = await module.benchPipeline(arg('--runs', 30), arg('--threads', 1));
console.log(JSON.stringify(result, null, 2));
