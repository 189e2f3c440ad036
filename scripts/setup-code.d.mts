export type SetupClaim = { readonly ok: true } | { readonly ok: false; readonly reason: 'wrong' | 'lockedOut'; readonly retryInMs: number };
export interface SetupCodes {
  readonly code: string;
  claim(given: unknown): SetupClaim;
}
export const SETUP_CODE_DIGITS: number;
export const SETUP_POLICY: { readonly freeTries: number; readonly baseMs: number; readonly maxMs: number };
export function showCode(code: string): string;
export function setupCodes(dir: string, options?: { now?: () => number; log?: (msg: string) => void; announce?: (code: string) => void }): SetupCodes;
