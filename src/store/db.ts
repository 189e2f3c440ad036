import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * The only file that knows the IndexedDB schema. Upgrades are cumulative `if (oldVersion < N)`
 * steps so a panel that skipped versions still arrives at the current shape.
 */
export const DB_NAME = 'doorward';
export const DB_VERSION = 1;

export const STORES = { settings: 'settings' } as const;

export interface DoorwardSchema extends DBSchema {
  settings: { key: string; value: unknown };
}

export type DoorwardDB = IDBPDatabase<DoorwardSchema>;

export function openDoorwardDB(name = DB_NAME): Promise<DoorwardDB> {
  return openDB<DoorwardSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore(STORES.settings);
      }
    },
  });
}
