// The state directory's certificate authority, serving certificate and admin token, made on first start
// and reused after (so kubeconfigs stay valid across restarts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface Credentials {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminToken: string;
}

const DAY = 24 * 3600 * 1000;

/** Writes a file atomically (temp file + rename), so a crash never leaves half a file. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

function newSerial(): string {
  return `01${randomBytes(15).toString('hex')}`;
}

/** A new key pair and an unsigned certificate for it, valid from a minute ago for the given years. */
function newCertificate(commonName: string, years: number) {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return { cert, keys };
}

function makeCA(): CertificateAuthority {
  const { cert, keys } = newCertificate('canopy-ca', 10);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

function makeServing(ca: CertificateAuthority, hosts: string[]) {
  const { cert, keys } = newCertificate('canopy-apiserver', 5);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

export interface CertificateAuthority {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

/** The CA under dir/pki, whose client certificates the API server accepts. */
export function loadCertificateAuthority(dir: string): CertificateAuthority {
  const pki = join(dir, 'pki');
  try {
    return {
      cert: forge.pki.certificateFromPem(readFileSync(join(pki, 'ca.crt'), 'utf8')),
      key: forge.pki.privateKeyFromPem(readFileSync(join(pki, 'ca.key'), 'utf8')) as forge.pki.rsa.PrivateKey,
    };
  } catch (e) {
    throw new Error(`cannot read the control plane's CA under ${pki}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Backdated as upstream's signer does, so that clocks a little behind accept the certificate at once. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A client certificate for an RSA public key, signed by the CA: common name = user, organizations = groups (as the
 * API server reads them), valid until notAfter or the CA's own end, whichever comes first.
 */
export function signClientCertificate(ca: CertificateAuthority, publicKeyPem: string, user: string, groups: string[], notAfter: Date): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = newSerial();
  cert.validity.notBefore = new Date(Date.now() - CLOCK_SKEW_MS);
  cert.validity.notAfter = notAfter < ca.cert.validity.notAfter ? notAfter : ca.cert.validity.notAfter;
  cert.setSubject([{ name: 'commonName', value: user }, ...groups.map((value) => ({ name: 'organizationName', value }))]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Loads the credentials under dir/pki, creating what is missing. */
export function loadOrCreateCredentials(dir: string, hosts = ['127.0.0.1', 'localhost', '::1']): Credentials {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const paths = {
    caCert: join(pki, 'ca.crt'), caKey: join(pki, 'ca.key'),
    cert: join(pki, 'apiserver.crt'), key: join(pki, 'apiserver.key'), token: join(pki, 'admin.token'),
  };
  if (!existsSync(paths.caCert) || !existsSync(paths.caKey)) {
    const ca = makeCA();
    writeFileAtomic(paths.caKey, forge.pki.privateKeyToPem(ca.key));
    writeFileAtomic(paths.caCert, forge.pki.certificateToPem(ca.cert), 0o644);
  }
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    const serving = makeServing(loadCertificateAuthority(dir), hosts);
    writeFileAtomic(paths.key, serving.key);
    writeFileAtomic(paths.cert, serving.cert, 0o644);
  }
  if (!existsSync(paths.token)) writeFileAtomic(paths.token, randomBytes(32).toString('base64url'));
  return {
    caCert: readFileSync(paths.caCert, 'utf8'),
    servingCert: readFileSync(paths.cert, 'utf8'),
    servingKey: readFileSync(paths.key, 'utf8'),
    adminToken: readFileSync(paths.token, 'utf8').trim(),
  };
}
