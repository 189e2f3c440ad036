#!/usr/bin/env node
// npm run bench:controller [-- --runs N]: the door controller's image size and its HMAC and
// command-to-relay times on the emulated Cortex-M0+ at 125 MHz, as JSON (scripts/bench-controller.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
const { module } = await runnerImport(join(here, 'bench-controller.ts'), { configFile: false, logLevel: 'error' });
console.log(JSON.stringify(await module.benchController(values.runs ? Number(values.runs) : undefined), null, 2));
