// The agent's own credential on the control plane, as kubelet's TLS bootstrap: with a bootstrap token it asks for a
// client certificate (a CertificateSigningRequest for user system:karmada:agent:<cluster>), waits until the control
// plane approves and signs it, and keeps certificate and key in a kubeconfig of its own.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import forge from 'node-forge';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { KUBE_APISERVER_CLIENT_SIGNER } from '../certificates/csr.ts';
import { AGENT_GROUP, agentUser } from '../clusters/agent-identity.ts';
import { clientCertKubeconfigYaml } from '../kubeconfig.ts';
import type { MemberClient } from '../members/client.ts';
import { writeFileAtomic } from '../pki/pki.ts';
import { errorText } from '../controllers/runtime.ts';
import type { KObject } from '../registry/objects.ts';
import { AgentError } from './agent.ts';

const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const POLL_MS = 500;
const ISSUE_TIMEOUT_MS = 5 * 60_000;

/** A kubeconfig for the agent's own certificate, obtained with the bootstrap kubeconfig's token. */
async function requestAgentCredential(bootstrap: MemberClient, cluster: string): Promise<string> {
  const caCert = bootstrap.certificateAuthority();
  if (!caCert) throw new AgentError('the bootstrap kubeconfig names no certificate authority for the control plane');
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const request = forge.pki.createCertificationRequest();
  request.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  request.setSubject([{ name: 'commonName', value: agentUser(cluster) }, { name: 'organizationName', value: AGENT_GROUP }]);
  request.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());

  const created = await bootstrap.request('POST', CSRS, {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
    metadata: { generateName: `agent-csr-${cluster}-` },
    spec: {
      request: Buffer.from(forge.pki.certificationRequestToPem(request)).toString('base64'),
      signerName: KUBE_APISERVER_CLIENT_SIGNER, usages: ['digital signature', 'key encipherment', 'client auth'],
    },
  });
  if (created.status === 401) {
    throw new AgentError(`the control plane refused the bootstrap token (expired or deleted); run \`canopy register ${cluster}\` again for a new one`);
  }
  if (created.status !== 201) throw new AgentError(`cannot request a certificate: ${created.json?.message ?? `HTTP ${created.status}`}`);
  const name: string = created.json.metadata.name;
  const cert = await waitForCertificate(bootstrap, name);
  return clientCertKubeconfigYaml({ server: bootstrap.server, caCert, cert, key: keys.privateKey, context: `${cluster}-agent` });
}

async function waitForCertificate(client: MemberClient, name: string): Promise<string> {
  const deadline = Date.now() + ISSUE_TIMEOUT_MS;
  for (;;) {
    const got = await client.request('GET', `${CSRS}/${name}`);
    if (got.status !== 200) throw new AgentError(`cannot read certificate signing request ${name}: ${got.json?.message ?? `HTTP ${got.status}`}`);
    const csr: KObject = got.json;
    const refused = (csr.status?.conditions ?? []).find((c: KObject) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (refused) throw new AgentError(`certificate signing request ${name} was ${refused.type.toLowerCase()}: ${refused.message ?? refused.reason}`);
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline) {
      throw new AgentError(`certificate signing request ${name} was not signed within ${ISSUE_TIMEOUT_MS / 60_000} minutes; approve it with \`kubectl certificate approve ${name}\``);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The agent's control-plane kubeconfig (file); when that is missing or its certificate has expired, a new certificate
 * is obtained with the bootstrap kubeconfig's token first, and kept in file.
 */
export async function agentCredential(file: string, bootstrap: (() => MemberClient) | undefined, cluster: string): Promise<string> {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const expiry = text === undefined ? undefined : clientCertificateValidity(text)?.notAfter;
  if (text !== undefined && (expiry === undefined || expiry > new Date())) return text;
  if (!bootstrap) {
    throw new AgentError(text === undefined
      ? `${file} does not exist; pass --bootstrap-kubeconfig (written by \`canopy register ${cluster}\`) to obtain a credential`
      : `the certificate in ${file} expired at ${expiry!.toISOString()}; pass --bootstrap-kubeconfig to obtain a new one`);
  }
  const obtained = await requestAgentCredential(bootstrap(), cluster);
  writeFileAtomic(file, obtained);
  return obtained;
}

export interface RotationOptions {
  /** How often the certificate's remaining validity is checked (karmada-agent's --cert-rotation-checking-interval). */
  checkingIntervalMs: number;
  /** Renew once remaining / total validity is at most this (--cert-rotation-remaining-time-threshold). */
  remainingTimeThreshold: number;
}

export const DEFAULT_ROTATION: RotationOptions = { checkingIntervalMs: 5 * 60_000, remainingTimeThreshold: 0.2 };

/**
 * Renews the agent's certificate with its current one before it expires, as karmada-agent's certRotation controller:
 * a new request, approved because the agent asks for itself, kept in file and used from then on.
 */
export function rotateCredential(file: string, client: MemberClient, cluster: string, options: RotationOptions, log: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = async () => {
    const validity = clientCertificateValidity(readFileSync(file, 'utf8'));
    if (!validity) return;
    const now = Date.now();
    const remaining = (validity.notAfter.getTime() - now) / (validity.notAfter.getTime() - validity.notBefore.getTime());
    if (remaining > options.remainingTimeThreshold) return;
    const renewed = await requestAgentCredential(client, cluster);
    writeFileAtomic(file, renewed);
    client.replaceCredentials(renewed);
    log.info({ until: clientCertificateValidity(renewed)?.notAfter.toISOString() }, 'agent certificate renewed');
  };
  const loop = () => {
    check().catch((e) => log.warn({ err: errorText(e) }, 'agent certificate renewal failed; retrying')).finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, options.checkingIntervalMs);
      timer.unref();
    });
  };
  timer = setTimeout(loop, options.checkingIntervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** When the kubeconfig's client certificate is valid (undefined if it has none that can be read). */
function clientCertificateValidity(kubeconfigText: string): { notBefore: Date; notAfter: Date } | undefined {
  try {
    const config = parse(kubeconfigText);
    const contextName = config['current-context'];
    const context = config.contexts?.find((c: KObject) => c.name === contextName)?.context;
    const user = config.users?.find((u: KObject) => u.name === context?.user)?.user;
    const data = user?.['client-certificate-data'];
    if (typeof data !== 'string') return undefined;
    const cert = new X509Certificate(Buffer.from(data, 'base64'));
    return { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
  } catch {
    return undefined;
  }
}
