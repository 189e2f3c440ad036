import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The hub's one storage boundary: SQL on PostgreSQL, either embedded (PGlite, the default, so
 * `npm run hub` needs no server) or a real server named by a connection URL (production). Both
 * speak the same dialect, run the same migrations and pass the same tests; nothing above this
 * file knows which it has.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Db extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** One transaction; rolled back when `fn` throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `postgres://` or `postgresql://`: a server; anything else: a PGlite data directory (`memory://` for none). */
export async function openDb(target: string): Promise<Db> {
  const db = /^postgres(ql)?:\/\//.test(target) ? await openPostgres(target) : await openPglite(target);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function openPglite(dataDir: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = new PGlite(dataDir === 'memory://' ? undefined : dataDir);
  await pg.waitReady;
  const run = async <T>(q: { query: (t: string, p?: unknown[]) => Promise<{ rows: unknown[] }> }, text: string, params: readonly unknown[] = []) => (await q.query(text, [...params])).rows as T[];
  return {
    kind: 'pglite',
    query: (text, params) => run(pg, text, params),
    transaction: (fn) => pg.transaction((tx) => fn({ query: (text, params) => run(tx, text, params) })),
    close: () => pg.close(),
  };
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // A dead server is said at start, not at the first door event.
  (await pool.connect()).release();
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    query: async (text, params = []) => (await pool.query(text, [...params])).rows,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: async (text, params = []) => (await client.query(text, [...params])).rows });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

const MIGRATIONS = join(fileURLToPath(new URL('.', import.meta.url)), 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function migrations(dir = MIGRATIONS): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies what is missing, each migration in its own transaction, under an advisory lock so two
 * hubs started at once on one server do not both apply the same one.
 */
export async function migrate(db: Db, list = migrations()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4015)');
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of list) {
      if (done.has(m.version)) continue;
      // One statement at a time: the extended protocol takes one per call, on both engines.
      for (const statement of splitSql(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** Statements split at `;` outside quotes, comments and $$ bodies. */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (rest.startsWith('$$')) {
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) throw new Error('unterminated $$ in migration');
      cur += sql.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    const ch = sql[i]!;
    if (ch === "'") {
      const end = sql.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote in migration');
      cur += sql.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
