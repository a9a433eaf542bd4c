// Users for tests: client certificates minted with a running server's CA (common name = user, organizations
// = groups, as the API server reads them), each with a kubeconfig and a kubectl cache of its own.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadCertificateAuthority, signClientCertificate, writeFileAtomic } from '../../src/pki/pki.ts';
import { httpsRequest, type RunningServer } from './server.ts';

export interface TestUser {
  name: string;
  groups: string[];
  cert: string;
  key: string;
  /** The server as this user reaches it: pass it to kubectl() and friends. */
  server: RunningServer;
}

export function mintUser(server: RunningServer, name: string, groups: string[] = []): TestUser {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const certPem = signClientCertificate(loadCertificateAuthority(server.dir), keys.publicKey, name, groups, new Date(Date.now() + 24 * 3600_000));
  const dir = join(server.dir, 'users', name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  const kubeconfig = join(dir, 'kubeconfig');
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  writeFileAtomic(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'canopy', cluster: { server: server.url, 'certificate-authority-data': base64(server.ca) } }],
    users: [{ name, user: { 'client-certificate-data': base64(certPem), 'client-key-data': base64(keys.privateKey) } }],
    contexts: [{ name: 'canopy', context: { cluster: 'canopy', user: name } }],
    'current-context': 'canopy',
  }));
  return { name, groups, cert: certPem, key: keys.privateKey, server: { ...server, dir, kubeconfig } };
}

/** An HTTPS request authenticated with the user's client certificate. */
export function userApi(user: TestUser, method: string, path: string, body?: unknown,
  headers: Record<string, string | string[]> = {}): Promise<{ status: number; text: string; json: any }> {
  const url = new URL(user.server.url);
  return httpsRequest({
    host: url.hostname, port: url.port, path, method, ca: user.server.ca, cert: user.cert, key: user.key, agent: false, headers,
  }, body);
}
