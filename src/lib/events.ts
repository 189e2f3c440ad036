/**
 * A typed event map, the one way features tell each other what happened: each event name carries
 * its own payload type, `on` returns the unsubscribe, and one listener that throws neither stops
 * the others nor reaches the emitter (it is reported, the door keeps working).
 */
/** Any one event of a map, named: what a listener to all of them (a log, say) receives. */
export type EventOf<M extends object> = { [K in keyof M]: { readonly name: K; readonly value: M[K] } }[keyof M];

export class Events<M extends object> {
  readonly #listeners = new Map<keyof M, Set<(value: never) => void>>();
  readonly #every = new Set<(event: EventOf<M>) => void>();

  on<K extends keyof M>(name: K, listener: (value: M[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Every event, in the order emitted, after the listeners of its own name. */
  onEvery(listener: (event: EventOf<M>) => void): () => void {
    this.#every.add(listener);
    return () => this.#every.delete(listener);
  }

  emit<K extends keyof M>(name: K, value: M[K]): void {
    const event = { name, value } as EventOf<M>;
    for (const listener of this.#listeners.get(name) ?? []) guarded(name, () => (listener as (value: M[K]) => void)(value));
    for (const listener of this.#every) guarded(name, () => listener(event));
  }
}

function guarded(name: PropertyKey, call: () => void): void {
  try {
    call();
  } catch (err) {
    console.error(`[events] a listener of ${String(name)} failed`, err);
  }
}
