// The unlock time an admin sets against the connected board's own ceiling (`max_pulse_ms`,
// PROTOCOL.md 4.3/4.5). The board has the last word: an UNLOCK longer than its ceiling is refused
// (OUT_OF_RANGE). So a longer unlock time is only saved once the board has taken a signed
// SET_CONFIG raising its ceiling (the rest of its config read first and kept as it is), and a
// board that was replaced or reset later and refuses an unlock as too long gets the ceiling
// raised once and the unlock retried once, never more; anything else fails closed.
import type { CommandResult } from './controller.ts';
import { HARD_MAX_PULSE_MS, DEFAULT_CONFIG, type DoorConfig, type StatusInfo } from './protocol.ts';

/** The three commands this needs (DoorController has them). */
export interface PulseBoard {
  status(): Promise<CommandResult<StatusInfo>>;
  setConfig(config: DoorConfig): Promise<CommandResult<DoorConfig>>;
  unlock(pulseMs: number): Promise<CommandResult<{ pulseMs: number; state: number }>>;
}

export type LimitCheck = { readonly ok: true; readonly raised: boolean } | { readonly ok: false; readonly problem: string };

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** "This door controller allows at most 5 s." */
export const allowsAtMost = (maxPulseMs: number): string => `This door controller allows at most ${seconds(maxPulseMs)}.`;

/**
 * Makes sure the board accepts an unlock of `pulseMs`: nothing is written when its ceiling is
 * already high enough; otherwise the ceiling is raised to exactly `pulseMs` (not further: the
 * exit button releases for the ceiling) by a SET_CONFIG that keeps the board's other fields.
 * `board` null: none connected, so only what every board allows by default may be set.
 */
export async function ensurePulseLimit(board: PulseBoard | null, pulseMs: number, log: (m: string) => void = () => undefined): Promise<LimitCheck> {
  if (!board) {
    return pulseMs <= DEFAULT_CONFIG.maxPulseMs ? { ok: true, raised: false } : { ok: false, problem: `No door controller is connected to check it; without one the unlock time may be at most ${seconds(DEFAULT_CONFIG.maxPulseMs)}.` };
  }
  const status = await board.status();
  if (status.outcome !== 'done') return { ok: false, problem: `The door controller did not answer, so an unlock time of ${seconds(pulseMs)} cannot be checked.` };
  const current = status.value.config;
  if (pulseMs <= current.maxPulseMs) return { ok: true, raised: false };
  const refused = allowsAtMost(current.maxPulseMs);
  if (pulseMs > HARD_MAX_PULSE_MS) return { ok: false, problem: refused };
  const asked: DoorConfig = { ...current, maxPulseMs: pulseMs };
  const r = await board.setConfig(asked);
  if (r.outcome !== 'done' || r.value.maxPulseMs !== pulseMs || r.value.failMode !== current.failMode || r.value.heartbeatTimeoutMs !== current.heartbeatTimeoutMs || r.value.heldOpenMs !== current.heldOpenMs) {
    log(`[door] the controller did not raise its unlock limit ${current.maxPulseMs} -> ${pulseMs} ms (${r.outcome === 'refused' ? r.reason : r.outcome === 'lost' ? 'no answer' : 'answered another config'})`);
    return { ok: false, problem: refused };
  }
  log(`[door] controller unlock limit raised ${current.maxPulseMs} -> ${pulseMs} ms (the exit button now releases that long too)`);
  return { ok: true, raised: true };
}

/**
 * An unlock that a board refuses as too long (a replaced or reset board, back at its default
 * ceiling) has the ceiling raised once and is retried once; every other outcome is returned as
 * it is, and a second refusal is final.
 */
export async function unlockWithinLimit(board: PulseBoard, pulseMs: number, log: (m: string) => void = () => undefined): Promise<CommandResult<{ pulseMs: number; state: number }>> {
  const first = await board.unlock(pulseMs);
  if (first.outcome !== 'refused' || first.reason !== 'OUT_OF_RANGE') return first;
  const raised = await ensurePulseLimit(board, pulseMs, log);
  if (!raised.ok || !raised.raised) {
    log(`[door] unlock of ${pulseMs} ms refused as out of range and the limit not raised: ${raised.ok ? 'the limit already allows it' : raised.problem} (door stays locked)`);
    return first;
  }
  log(`[door] unlock of ${pulseMs} ms refused as out of range; limit raised, retrying once`);
  const second = await board.unlock(pulseMs);
  if (second.outcome !== 'done') log(`[door] retried unlock of ${pulseMs} ms not done (${second.outcome === 'refused' ? second.reason : second.outcome}); not retried again (door stays locked)`);
  return second;
}
