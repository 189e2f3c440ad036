/** The part of the Web Locks API used here; `navigator.locks` is one. */
export interface LockRequester {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/** Takes the lock if nobody holds it, and keeps it until the returned function is called. */
export function holdIfFree(locks: LockRequester, name: string): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(null);
        // The lock is held until the promise the callback returns settles.
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}

/** Waits for the lock, then keeps it for the rest of the page's life. */
export function holdWhenFree(locks: LockRequester, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    locks.request(name, () => {
      resolve();
      return new Promise<never>(() => undefined);
    }).catch(reject);
  });
}
