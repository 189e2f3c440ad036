import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from './postgres.ts';

/**
 * The two engines every hub storage test runs on: PGlite in a fresh data directory (the
 * one-command default) and a real PostgreSQL 15 the test starts itself (production's).
 * Each `target()` is a fresh, empty database.
 */
export interface Engine {
  readonly name: string;
  target(): Promise<string>;
  dispose(): Promise<void>;
}

function pglite(): Engine {
  const dirs: string[] = [];
  return {
    name: 'PGlite',
    async target() {
      const d = mkdtempSync(join(tmpdir(), 'doorward-pglite-'));
      dirs.push(d);
      return d;
    },
    async dispose() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgres(): Engine {
  let server: Promise<Postgres> | null = null;
  let n = 0;
  return {
    name: 'PostgreSQL 15',
    async target() {
      server ??= startPostgres();
      const s = await server;
      const name = `hub_${process.pid}_${++n}`;
      const { default: pg } = await import('pg');
      const admin = new pg.Client({ connectionString: s.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return s.url.replace(/\/postgres$/, `/${name}`);
    },
    async dispose() {
      if (server) await (await server).stop();
    },
  };
}

export const engines = (): Engine[] => [pglite(), postgres()];
