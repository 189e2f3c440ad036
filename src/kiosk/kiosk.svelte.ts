import { untrack } from 'svelte';
import { deadline, initialFlow, isQuiet, step, type Flow, type FlowEvent, type FlowState } from './flow.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';
import { Events } from '../lib/events.ts';

export interface KioskEvents {
  change: { readonly state: FlowState; readonly previous: FlowState };
}

/**
 * The kiosk's one source of truth: the pure flow plus the single timer that its deadline needs.
 * Everything that happens at the door is a `dispatch`ed event.
 */
export class KioskFlow {
  #flow = $state<Flow>(initialFlow(0));
  #timer: TimerHandle | undefined;
  readonly #clock: Clock;
  readonly #events = new Events<KioskEvents>();

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#flow = initialFlow(clock.now());
  }

  get flow() {
    return this.#flow;
  }
  get state() {
    return this.#flow.state;
  }
  get quiet() {
    return isQuiet(this.#flow);
  }

  /**
   * Untracked: watchers send events from inside `$effect`s, and an effect that read the flow it
   * then wrote would run itself again (Svelte's effect_update_depth_exceeded).
   */
  dispatch(event: FlowEvent): void {
    untrack(() => {
      const next = step(this.#flow, event, this.#clock.now());
      if (next === this.#flow) return;
      const previous = this.#flow.state;
      this.#flow = next;
      this.#schedule();
      if (next.state !== previous) this.#events.emit('change', { state: next.state, previous });
    });
  }

  /** For side effects that follow the flow (the bell, speech): every change of state. */
  on<K extends keyof KioskEvents>(name: K, listener: (value: KioskEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    const due = deadline(this.#flow.state);
    if (due === null) return;
    this.#timer = this.#clock.setTimeout(() => this.dispatch({ type: 'tick' }), Math.max(0, due - this.#clock.now()));
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
  }
}
