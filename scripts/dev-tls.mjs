// A self-signed certificate for `npm start` on the LAN: camera and WebCrypto need a secure
// context, and a phone reaches the panel by its LAN address, not localhost. Made once with the
// system's openssl and kept in .cache/tls; its SHA-256 fingerprint is printed so the phone's
// "not trusted" page can be checked against it.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

/** The machine's LAN IPv4 addresses (no loopback, no link-local). */
export function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'))
    .map((a) => a.address);
}

/**
 * @param {string} dir
 * @param {string[]} addresses
 * @returns {{ key: Buffer, cert: Buffer, fingerprint: string }}
 */
export function ensureDevCertificate(dir, addresses) {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const wanted = ['DNS:localhost', 'IP:127.0.0.1', ...addresses.map((a) => `IP:${a}`)];
  const current = existsSync(certFile) ? new X509Certificate(readFileSync(certFile)) : null;
  // A new LAN address needs a new certificate; otherwise the phone would see a name mismatch.
  const covers = current && wanted.every((n) => (current.subjectAltName ?? '').includes(n.replace('IP:', 'IP Address:')));
  if (!covers) {
    mkdirSync(dir, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '825', '-subj', '/CN=Doorward development panel', '-addext', `subjectAltName=${wanted.join(',')}`, '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  }
  const cert = readFileSync(certFile);
  return { key: readFileSync(keyFile), cert, fingerprint: new X509Certificate(cert).fingerprint256 };
}
