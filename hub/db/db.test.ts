import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDb, splitSql, type Db } from './db.ts';
import { engines } from '../../tests/hub/engines.ts';

describe('splitSql', () => {
  it('splits at semicolons outside quotes, comments and $$ bodies', () => {
    expect(splitSql("-- a; comment\nSELECT ';';\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN; RETURN 1; END $$ LANGUAGE plpgsql;\nSELECT 2")).toEqual(["SELECT ';'", 'CREATE FUNCTION f() RETURNS int AS $$ BEGIN; RETURN 1; END $$ LANGUAGE plpgsql', 'SELECT 2']);
  });
});

describe.each(engines())('the hub schema on $name', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await engine.target());
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await engine.dispose();
  });

  it('migrates once: a second run applies nothing and the tables are there', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2, 3]);
    expect(await db.query('SELECT last_seq FROM log_head')).toHaveLength(1);
    expect(await db.query('SELECT subscription_id FROM push_subscriptions')).toEqual([]);
  });

  it('refuses to update, delete or truncate the log outside retention', async () => {
    await db.query("INSERT INTO log_proofs (proof_hash, panel_id, envelope) VALUES ('p', 'x', '{}')");
    await db.query("INSERT INTO log (seq, panel_id, event_id, at, kind, summary, detail, proof_hash, received_at, prev_hash, row_hash) VALUES (1, 'x', 'e', 1, 'door', 's', 'null', 'p', 1, 'genesis', 'h')");
    await expect(db.query("UPDATE log SET summary = 'edited'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM log')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE log')).rejects.toThrow(/append-only/);
    expect(await db.query('SELECT summary FROM log')).toEqual([{ summary: 's' }]);
  });

  it('rolls a failed transaction back', async () => {
    await expect(db.transaction(async (tx) => {
      await tx.query("INSERT INTO person_groups (group_id, name) VALUES ('g1', 'Staff')");
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await db.query("SELECT * FROM person_groups WHERE group_id = 'g1'")).toEqual([]);
  });
});
