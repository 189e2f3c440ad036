/**
 * Which broker the panel uses: a `?broker=ws(s)://…` in the page address (set once by the
 * installer, then remembered), else the stored one, else the embedded development broker that
 * `npm start` runs on port 8081 of the same host, over wss when the page itself is https.
 */
export const DEV_BROKER_PORT = 8081;

export function chooseBrokerUrl(page: { protocol: string; hostname: string; search: string }, stored: string | null): { url: string; remember: boolean } {
  const asked = new URLSearchParams(page.search).get('broker');
  if (asked && /^wss?:\/\/[^\s/]+(\/[^\s]*)?$/.test(asked)) return { url: asked, remember: asked !== stored };
  if (stored) return { url: stored, remember: false };
  const scheme = page.protocol === 'https:' ? 'wss' : 'ws';
  return { url: `${scheme}://${page.hostname}:${DEV_BROKER_PORT}`, remember: false };
}
