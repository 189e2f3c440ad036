#!/usr/bin/env node
// npm run bench:hub [-- --doors 50] [--people 5] [--events 40] [--postgres] [--single-broker]: the site hub at scale (scripts/bench-hub.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTs } from '../hub/load-ts.mjs';

const { values } = parseArgs({ options: { doors: { type: 'string' }, people: { type: 'string' }, events: { type: 'string' }, postgres: { type: 'boolean', default: false }, 'single-broker': { type: 'boolean', default: false } } });
const here = dirname(fileURLToPath(import.meta.url));
const { module } = await loadTs(join(here, 'bench-hub.ts'));
try {
  const result = await module.runHubBench(
    { doors: values.doors ? Number(values.doors) : undefined, people: values.people ? Number(values.people) : undefined, eventsPerDoor: values.events ? Number(values.events) : undefined, postgres: values.postgres, bridged: !values['single-broker'] },
    (m) => console.error(`[bench:hub] ${m}`),
  );
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
} catch (err) {
  console.error(`[bench:hub] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}
