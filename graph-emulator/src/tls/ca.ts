// The local certificate authority. Node only trusts it through NODE_EXTRA_CA_CERTS, which is read at process
// start, so the CA must be stable across emulator restarts: it is created once and then reused. Keys come
// from node:crypto (native, fast); node-forge only assembles and signs the X.509 structures.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface CaFiles {
  certPem: string;
  keyPem: string;
  certPath: string;
}

export interface ServerCredentials {
  cert: string;
  key: string;
}

function newKeyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

function serial(): string {
  // Positive serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function writeAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/** Loads the CA from `dir`, creating it when missing. Safe to call from several processes at once. */
export function ensureCa(dir: string): CaFiles {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true });
    const keys = newKeyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
    cert.serialNumber = serial();
    cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
    cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    const subject = [
      { name: 'commonName', value: 'Core Email System graph-emulator local CA' },
      { name: 'organizationName', value: 'Core Email System (development only)' },
    ];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
    // Key first, certificate last: the certificate's presence means the pair is complete.
    writeAtomic(keyPath, keys.privatePem, 0o600);
    writeAtomic(certPath, forge.pki.certificateToPem(cert), 0o644);
  }
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), certPath };
}

/** Issues a fresh server certificate for localhost, 127.0.0.1 and the extra names. */
export function issueServerCert(ca: CaFiles, extraNames: string[]): ServerCredentials {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const names = [...new Set(['localhost', ...extraNames])];
  const ips = [...new Set(['127.0.0.1', '::1', ...extraNames.filter(isIp)])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...names.filter((n) => !isIp(n)).map((value) => ({ type: 2, value })),
        ...ips.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert) + ca.certPem, key: keys.privatePem };
}

function isIp(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}
