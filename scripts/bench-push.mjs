#!/usr/bin/env node
// npm run bench:push [-- --subscriptions 100] [--alerts 20]: the hub's Web Push cost (scripts/bench-push.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTs } from '../hub/load-ts.mjs';

const { values } = parseArgs({ options: { subscriptions: { type: 'string' }, alerts: { type: 'string' } } });
const { module } = await loadTs(join(dirname(fileURLToPath(import.meta.url)), 'bench-push.ts'));
const result = await module.runPushBench({ subscriptions: values.subscriptions ? Number(values.subscriptions) : undefined, alerts: values.alerts ? Number(values.alerts) : undefined }, (m) => console.error(`[bench:push] ${m}`));
console.log(JSON.stringify(result, null, 2));
process.exit(0);
