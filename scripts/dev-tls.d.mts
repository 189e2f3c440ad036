/** The machine's LAN IPv4 addresses (no loopback, no link-local). */
export function lanAddresses(): string[];
/** A self-signed certificate for these addresses (plus localhost), made once with openssl. */
export function ensureDevCertificate(dir: string, addresses: readonly string[]): { key: Buffer; cert: Buffer; fingerprint: string };
