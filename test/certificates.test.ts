// certificates.k8s.io/v1 CertificateSigningRequests with the real kubectl: create, the requester recorded, `kubectl
// certificate approve|deny` (typed, protobuf bodies), signing by the control plane's CA, validation with upstream's
// messages, and the issued certificate authenticating its subject.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { stringify } from 'yaml';
import { api, kubectlFails, kubectlOk, removeDir, startServer, type RunningServer, waitFor } from './support/server.ts';

const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

let cp: RunningServer;

function newRequest(commonName: string, organizations: string[]): { request: string; key: string } {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  csr.setSubject([{ name: 'commonName', value: commonName }, ...organizations.map((value) => ({ name: 'organizationName', value }))]);
  csr.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { request: Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64'), key: keys.privateKey };
}

function csrDocument(name: string, request: string, spec: object = {}): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
  });
}

async function csr(name: string): Promise<any> {
  return (await api(cp, 'GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`)).json;
}

describe('CertificateSigningRequests', () => {
  before(async () => {
    cp = await startServer();
  });
  after(async () => {
    await cp?.stop();
    if (cp) removeDir(cp.dir);
  });

  it('kubectl certificate approve: the CA signs it, and the certificate authenticates its subject', async () => {
    const { request, key } = newRequest('alice', ['devs']);
    kubectlOk(cp, ['create', '-f', '-'], { input: csrDocument('alice', request, { expirationSeconds: 3600, username: 'mallory', groups: ['system:masters'] }) });
    const pending = await csr('alice');
    assert.equal(pending.spec.username, 'admin', 'the requester is recorded, not what the client claims');
    assert.deepEqual(pending.spec.groups, ['system:masters', 'system:authenticated']);
    assert.match(kubectlOk(cp, ['get', 'csr', 'alice']), /^alice\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+admin\s+60m\s+Pending$/m);

    assert.match(kubectlOk(cp, ['certificate', 'approve', 'alice']), /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    const issued = await waitFor('alice signed', async () => ((await csr('alice'))?.status?.certificate ? csr('alice') : undefined));
    const approved = issued.status.conditions[0];
    assert.deepEqual([approved.type, approved.status, approved.reason], ['Approved', 'True', 'KubectlApprove']);
    assert.ok(approved.lastUpdateTime && approved.lastTransitionTime, 'condition times are filled in');
    const cert = forge.pki.certificateFromPem(Buffer.from(issued.status.certificate, 'base64').toString('utf8'));
    const lifetimeMs = cert.validity.notAfter.getTime() - Date.now();
    assert.ok(lifetimeMs > 0 && lifetimeMs <= 3600_000, 'expirationSeconds bounds the certificate');

    const kubeconfig = join(cp.dir, 'alice.kubeconfig');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'alice',
      clusters: [{ name: 'canopy', cluster: { server: cp.url, 'certificate-authority-data': b64(cp.ca) } }],
      users: [{ name: 'alice', user: { 'client-certificate-data': issued.status.certificate, 'client-key-data': b64(key) } }],
      contexts: [{ name: 'alice', context: { cluster: 'canopy', user: 'alice' } }],
    }));
    const whoami = kubectlOk({ ...cp, kubeconfig }, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
    assert.equal(whoami, 'alice ["devs","system:authenticated"]');
  });

  it('kubectl certificate deny (kubectl 1.27 too): denied, never signed; approval cannot be taken back', { skip: existsSync(KUBECTL_127) ? false : `${KUBECTL_127} is missing` }, async () => {
    kubectlOk(cp, ['create', '-f', '-'], { input: csrDocument('bob', newRequest('bob', []).request) });
    assert.match(kubectlOk(cp, ['certificate', 'deny', 'bob'], { binary: KUBECTL_127 }), /certificatesigningrequest.certificates.k8s.io\/bob denied/);
    const denied = await csr('bob');
    assert.deepEqual(denied.status.conditions.map((c: any) => [c.type, c.reason]), [['Denied', 'KubectlDeny']]);
    assert.match(kubectlOk(cp, ['get', 'csr', 'bob']), /\sDenied$/m);
    const undo = await api(cp, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/approval', { ...denied, status: { conditions: [] } });
    assert.equal(undo.status, 422);
    assert.match(undo.json.message, /status.conditions: Forbidden: updates may not remove a condition of type "Denied"/);
    assert.equal((await csr('bob')).status.certificate, undefined);
  });

  it('requests are validated with upstream messages, and their spec never changes', async () => {
    const { request } = newRequest('carol', []);
    const invalid: Array<[object, RegExp]> = [
      [{ signerName: '' }, /spec.signerName: Required value/],
      [{ signerName: 'nodomain' }, /spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form 'example.com\/signer-name'/],
      [{ usages: ['client auth', 'flying'] }, /spec.usages\[1\]: Unsupported value: "flying"/],
      [{ expirationSeconds: 599 }, /spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds \(10 minutes\)/],
      [{ request: Buffer.from('not a request').toString('base64') }, /spec.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/],
    ];
    for (const [spec, message] of invalid) {
      const err = kubectlFails(cp, ['create', '-f', '-'], { input: csrDocument('carol', request, spec) });
      assert.match(err, /The CertificateSigningRequest "carol" is invalid/);
      assert.match(err, message);
    }
    kubectlOk(cp, ['create', '-f', '-'], { input: csrDocument('carol', request) });
    kubectlOk(cp, ['patch', 'csr', 'carol', '--type=merge', '-p', '{"spec":{"signerName":"example.com/other"},"metadata":{"labels":{"team":"a"}}}']);
    const patched = await csr('carol');
    assert.equal(patched.spec.signerName, 'kubernetes.io/kube-apiserver-client');
    assert.equal(patched.metadata.labels.team, 'a');
    assert.match(kubectlOk(cp, ['get', 'csr', 'carol']), /\sPending$/m, 'a request for no agent identity waits for people');
  });
});
