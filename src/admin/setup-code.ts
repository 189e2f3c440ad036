/**
 * The first-boot set-up code, checked by the panel's own server (scripts/setup-code.mjs): the
 * kiosk never holds the code or anything derived from it, so there is nothing at the door to
 * read or guess offline. The server counts tries, backs off and burns the code once it is used.
 */
export type SetupClaim =
  | { readonly result: 'ok' }
  | { readonly result: 'wrong' | 'lockedOut'; readonly retryInMs: number }
  /** No server that checks set-up codes answered (offline, or a static server). */
  | { readonly result: 'unavailable'; readonly why: string };

export interface SetupCodeCheck {
  claim(code: string): Promise<SetupClaim>;
}

export const SETUP_CODE_LENGTH = 8;

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export function serverSetupCheck(fetchFn: Fetch = (i, o) => fetch(i, o)): SetupCodeCheck {
  return {
    async claim(code) {
      let r: Response;
      try {
        r = await fetchFn('/setup/claim', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }), cache: 'no-store', signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        return { result: 'unavailable', why: `the panel's server did not answer (${err instanceof Error ? err.message : String(err)})` };
      }
      const body = (await r.json().catch(() => null)) as { ok?: unknown; reason?: unknown; retryInMs?: unknown } | null;
      if (r.status === 200 && body?.ok === true) return { result: 'ok' };
      const retryInMs = typeof body?.retryInMs === 'number' && Number.isFinite(body.retryInMs) ? Math.max(0, body.retryInMs) : 0;
      if (r.status === 403 && body?.reason === 'wrong') return { result: 'wrong', retryInMs };
      if (r.status === 429 && body?.reason === 'lockedOut') return { result: 'lockedOut', retryInMs };
      return { result: 'unavailable', why: `this server does not check set-up codes (HTTP ${r.status})` };
    },
  };
}
