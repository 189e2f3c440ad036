// The headers every response of the panel's server carries, in plain JS so `npm start`
// (scripts/start.mjs) and the Vite config share one definition. A deployment behind another
// HTTPS server copies them (README, Deploying on a tablet).

/** Cross-origin isolation, so onnxruntime-web may use SharedArrayBuffer (WASM threads). */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * What the app loads, found by running the whole end-to-end suite under this policy with
 * violations reported: its own scripts plus WebAssembly compilation ('wasm-unsafe-eval':
 * onnxruntime, zxing, the SIMD matcher), its own workers (and MQTT.js's blob: timer worker),
 * pictures as blob: (snapshots) and
 * data: URLs, and network only to itself and the brokers named here. Anything else, such as a
 * library's usage ping to a vendor, is refused and reported to /csp-report.
 * @param {{ brokers?: readonly string[] }} [options] origins of the MQTT brokers the pages may reach
 */
export function contentSecurityPolicy({ brokers = [] } = {}) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // blob: for MQTT.js's keep-alive timer worker (a background tab's own timers are throttled
    // below the keep-alive); a blob can only come from a script this policy already let run.
    "worker-src 'self' blob:",
    `connect-src ${["'self'", ...brokers].join(' ')}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    'report-uri /csp-report',
  ].join('; ');
}

/** @param {{ brokers?: readonly string[] }} [options] */
export function securityHeaders(options) {
  return {
    ...isolationHeaders,
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}
