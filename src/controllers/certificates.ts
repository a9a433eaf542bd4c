// Certificates, as kube-controller-manager's csrapproving/csrsigning/csrcleaner/tokencleaner controllers do them
// for Canopy's one use: Pull agents obtaining their own client certificate.
//  - approving: a request for an agent identity (system:karmada:agent:<cluster>, organization system:karmada:agents)
//    is approved when it comes with that cluster's bootstrap token (group system:bootstrappers:canopy:cluster:<cluster>)
//    or from the agent itself (renewal), and denied otherwise; other requests wait for a human.
//  - signing: approved kubernetes.io/kube-apiserver-client requests are signed with the control plane's CA.
//  - cleaning: finished requests go after an hour, pending ones after a day; expired bootstrap tokens go at once.
import type { Logger } from 'pino';
import { hasCondition, KUBE_APISERVER_CLIENT_SIGNER, parseCertificateRequest } from '../certificates/csr.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenExpiration } from '../certificates/bootstrap-token.ts';
import { AGENT_GROUP, agentClusterOf, agentUser, bootstrapGroupOf } from '../clusters/agent-identity.ts';
import { signClientCertificate } from '../pki/pki.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ControllerSettings } from './index.ts';
import { Informer } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound } from './runtime.ts';

/** Upstream's --cluster-signing-duration default. */
const MAX_CERTIFICATE_LIFETIME_SECONDS = 365 * 24 * 3600;
const FINISHED_RETENTION_MS = 3600_000;
const PENDING_RETENTION_MS = 24 * 3600_000;
const CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];

/** Usages a client certificate may have: client auth, and at most digital signature and key encipherment besides. */
function areClientUsages(usages: string[]): boolean {
  return usages.includes('client auth') && usages.every((u) => CLIENT_USAGES.includes(u));
}

export function certificatesController(objects: ObjectService, logger: Logger, settings: ControllerSettings = {}): Controller {
  const ca = settings.certificateAuthority;
  const log = logger.child({ controller: 'certificates' });
  const csrs = objects.registry.lookup('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
  const clusters = () => objects.registry.lookup('cluster.karmada.io', 'v1alpha1', 'clusters');
  const secrets = objects.registry.lookup('', 'v1', 'secrets')!;

  /** Adds a True condition through the subresource (whose strategy fills in its times). */
  const addCondition = (csr: KObject, subresource: 'approval' | 'status', type: string, reason: string, message: string) =>
    objects.modify(csrs, undefined, csr.metadata.name, (current) => ({
      ...current, status: { ...current.status, conditions: [...(current.status?.conditions ?? []), { type, status: 'True', reason, message }] },
    }), {}, subresource);

  async function approveOrDeny(csr: KObject): Promise<void> {
    let request;
    try {
      request = parseCertificateRequest(csr.spec.request);
    } catch {
      return;
    }
    const cluster = agentClusterOf(request.commonName);
    if (cluster === undefined || csr.spec.signerName !== KUBE_APISERVER_CLIENT_SIGNER) return;
    const refusal = await agentRequestRefusal(csr, request, cluster);
    if (refusal) {
      log.info({ csr: csr.metadata.name, cluster, requester: csr.spec.username }, 'agent certificate request denied');
      await addCondition(csr, 'approval', 'Denied', 'AgentCertificateDenied', refusal);
      return;
    }
    log.info({ csr: csr.metadata.name, cluster, requester: csr.spec.username }, 'agent certificate request approved');
    await addCondition(csr, 'approval', 'Approved', 'AutoApproved',
      `Auto approving the agent certificate of cluster "${cluster}" requested by ${csr.spec.username}`);
  }

  async function agentRequestRefusal(csr: KObject, request: { organizations: string[] }, cluster: string): Promise<string | undefined> {
    const groups: string[] = csr.spec.groups ?? [];
    if (!groups.includes(bootstrapGroupOf(cluster)) && csr.spec.username !== agentUser(cluster)) {
      return `${csr.spec.username} may not request the agent certificate of cluster "${cluster}": only that cluster's bootstrap token or its agent may`;
    }
    if (request.organizations.length !== 1 || request.organizations[0] !== AGENT_GROUP) {
      return `the subject's organization must be exactly "${AGENT_GROUP}"`;
    }
    if (!areClientUsages(csr.spec.usages ?? [])) {
      return `usages must include "client auth" and may only add ${CLIENT_USAGES.filter((u) => u !== 'client auth').map((u) => `"${u}"`).join(' and ')}`;
    }
    const resource = clusters();
    const registered = resource && await objects.tryGet(resource, undefined, cluster);
    if (!registered || registered.spec?.syncMode !== 'Pull') return `cluster "${cluster}" is not registered in Pull mode`;
    return undefined;
  }

  async function sign(csr: KObject): Promise<void> {
    const request = parseCertificateRequest(csr.spec.request);
    const usages: string[] = csr.spec.usages ?? [];
    if (!areClientUsages(usages)) {
      await addCondition(csr, 'status', 'Failed', 'SignerValidationFailure',
        `invalid usage for client certificate: ${usages.filter((u) => !CLIENT_USAGES.includes(u)).join(', ') || 'missing client auth'}`);
      return;
    }
    const seconds = Math.min(csr.spec.expirationSeconds ?? MAX_CERTIFICATE_LIFETIME_SECONDS, MAX_CERTIFICATE_LIFETIME_SECONDS);
    const pem = signClientCertificate(ca!, request.publicKeyPem, request.commonName, request.organizations, new Date(Date.now() + seconds * 1000));
    await objects.modify(csrs, undefined, csr.metadata.name, (current) => (current.status?.certificate ? current : {
      ...current, status: { ...current.status, certificate: Buffer.from(pem).toString('base64') },
    }), {}, 'status');
    log.info({ csr: csr.metadata.name, subject: request.commonName }, 'certificate issued');
  }

  async function reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    await informer.synced;
    const csr = informer.get(undefined, name);
    if (!csr) return;
    const finished = hasCondition(csr, 'Denied') || hasCondition(csr, 'Failed') || Boolean(csr.status?.certificate);
    if (!finished && !hasCondition(csr, 'Approved')) await approveOrDeny(csr);
    else if (!finished && ca && csr.spec.signerName === KUBE_APISERVER_CLIENT_SIGNER) await sign(csr);
    const age = Date.now() - Date.parse(csr.metadata.creationTimestamp);
    const retention = finished || hasCondition(csr, 'Approved') ? FINISHED_RETENTION_MS : PENDING_RETENTION_MS;
    if (age < retention) return { requeueAfterMs: retention - age };
    await objects.delete(csrs, undefined, name, { preconditions: { uid: csr.metadata.uid } }).catch(ignoreNotFound);
  }

  async function cleanToken(key: string): Promise<void | { requeueAfterMs: number }> {
    await tokens.synced;
    const secret = tokens.get(BOOTSTRAP_TOKEN_NAMESPACE, key);
    if (!secret || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return;
    const expiration = bootstrapTokenExpiration(secret);
    if (!expiration) return;
    const left = expiration.getTime() - Date.now();
    if (left > 0) return { requeueAfterMs: left };
    log.info({ secret: key }, 'bootstrap token expired; deleting it');
    await objects.delete(secrets, BOOTSTRAP_TOKEN_NAMESPACE, key, { preconditions: { uid: secret.metadata.uid } }).catch(ignoreNotFound);
  }

  const queue = new WorkQueue(reconcile, {
    onError: (name, err) => log.warn({ csr: name, err: errorText(err) }, 'certificate signing request failed; retrying'),
  });
  const informer = new Informer(objects, csrs, (_type, csr) => queue.add(csr.metadata.name));
  const tokenQueue = new WorkQueue(cleanToken, {
    onError: (name, err) => log.warn({ secret: name, err: errorText(err) }, 'bootstrap token cleanup failed; retrying'),
  });
  const tokens = new Informer(objects, secrets, (_type, secret) => {
    if (secret.metadata.namespace === BOOTSTRAP_TOKEN_NAMESPACE && secret.type === BOOTSTRAP_TOKEN_SECRET_TYPE) tokenQueue.add(secret.metadata.name);
  });
  return {
    async stop() {
      informer.stop();
      tokens.stop();
      queue.stop();
      tokenQueue.stop();
    },
  };
}
