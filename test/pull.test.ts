// Pull mode end to end: a real control plane, a real member and a real `canopy agent` beside it. The control plane
// never dials the member; the agent registers the cluster, renews its Lease, reports status and applies Works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { type AgentProcess, canopy, memberGet, startAgentProcess } from './support/federation.ts';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, kubectlFails, kubectlOk, removeDir, startServer, type RunningServer, waitFor } from './support/server.ts';

let cp: RunningServer;
let member: RunningServer;
let agent: AgentProcess | undefined;

const GRACE_SECONDS = 4;

/** The bootstrap kubeconfig from `canopy register`, and the agent's own one, obtained with it. */
let bootstrapKubeconfig: string;
let agentKubeconfig: string;

function startAgent(extraArgs: string[] = []): Promise<AgentProcess> {
  return startAgentProcess(agentKubeconfig, member, 'pm', ['--bootstrap-kubeconfig', bootstrapKubeconfig,
    '--cluster-success-threshold', '0', '--cluster-failure-threshold', '0', '--cluster-lease-duration', '2', ...extraArgs]);
}

function agentCertificate(): X509Certificate {
  const data = /client-certificate-data: (\S+)/.exec(readFileSync(agentKubeconfig, 'utf8'))![1]!;
  return new X509Certificate(Buffer.from(data, 'base64'));
}

/** A bootstrap token Secret as `canopy register` writes it, made by hand to control its expiry. */
function bootstrapTokenSecret(id: string, secret: string, expiration: Date, groups: string[]): object {
  const data = { 'token-id': id, 'token-secret': secret, expiration: expiration.toISOString(), 'usage-bootstrap-authentication': 'true',
    'auth-extra-groups': groups.join(',') };
  return { apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    stringData: data };
}

function withToken(server: RunningServer, token: string): RunningServer {
  const file = join(server.dir, `token-${token.slice(0, 6)}.kubeconfig`);
  writeFileSync(file, readFileSync(server.kubeconfig, 'utf8').replace(/token: .*/, `token: ${token}`));
  return { ...server, kubeconfig: file };
}

async function killAgent(): Promise<void> {
  await agent?.kill();
}

async function cluster(): Promise<any> {
  return (await api(cp, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters/pm')).json;
}

const ready = (c: any) => c?.status?.conditions?.find((x: any) => x.type === 'Ready')?.status;

function apply(documents: object[]): void {
  kubectlOk(cp, ['apply', '-f', '-'], { input: documents.map((d) => `---\n${JSON.stringify(d)}`).join('\n') });
}

const policy = (name: string, selectors: object[]) => ({
  apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name, namespace: 'pull' },
  spec: { resourceSelectors: selectors, placement: { clusterAffinity: { clusterNames: ['pm'] } } },
});
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'pull' }, data: { k: name } });

describe('Pull mode', () => {
  before(async () => {
    [cp, member] = await Promise.all([
      startServer({ args: ['--cluster-status-update-frequency', '1', '--cluster-monitor-grace-period', String(GRACE_SECONDS)] }),
      startServer({ command: 'member', name: 'pm' }),
    ]);
    bootstrapKubeconfig = join(cp.dir, 'pm-bootstrap.kubeconfig');
    agentKubeconfig = join(cp.dir, 'pm-agent.kubeconfig');
    const registered = canopy(['register', 'pm', '--dir', cp.dir, '--output', bootstrapKubeconfig], cp);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /cluster "pm" registered \(Pull mode\); bootstrap kubeconfig: .*pm-bootstrap.kubeconfig \(valid until /);
    agent = await startAgent();
  });
  after(async () => {
    await killAgent();
    await Promise.all([cp?.stop(), member?.stop()]);
    for (const s of [cp, member]) if (s) removeDir(s.dir);
  });

  it('the agent registers the cluster in Pull mode and reports its status', async () => {
    const c = await waitFor('pm Ready', async () => {
      const got = await cluster();
      return ready(got) === 'True' && got.status.kubernetesVersion ? got : undefined;
    });
    assert.equal(c.spec.syncMode, 'Pull');
    assert.equal(c.spec.secretRef, undefined, 'the control plane holds no credential of a Pull member');
    assert.ok(c.status.apiEnablements.some((a: any) => a.groupVersion === 'apps/v1'));
    const lease = (await api(cp, 'GET', '/apis/coordination.k8s.io/v1/namespaces/karmada-cluster/leases/pm')).json;
    assert.equal(lease.spec.holderIdentity, 'pm');
    assert.equal(lease.spec.leaseDurationSeconds, 2);
    assert.equal(lease.metadata.ownerReferences[0].uid, c.metadata.uid);
    assert.match(kubectlOk(cp, ['get', 'clusters']), /^pm\s+v\S+\s+Pull\s+True/m);
  });

  it('the agent\'s credential reaches its own objects and nothing else', async () => {
    const asAgent = { ...cp, kubeconfig: agentKubeconfig };
    kubectlOk(asAgent, ['get', 'works', '-n', 'karmada-es-pm']);
    kubectlOk(asAgent, ['get', 'cluster', 'pm']);
    kubectlOk(asAgent, ['get', 'lease', 'pm', '-n', 'karmada-cluster']);
    const user = 'User "system:karmada:agent:pm"';
    const refused: Array<[string[], string]> = [
      [['get', 'works', '-n', 'karmada-es-other'], `works.work.karmada.io is forbidden: ${user} cannot list resource "works" in API group "work.karmada.io" in the namespace "karmada-es-other"`],
      [['get', 'secrets', '-n', 'karmada-cluster'], `secrets is forbidden: ${user} cannot list resource "secrets" in API group "" in the namespace "karmada-cluster"`],
      [['get', 'secrets', '-A'], `secrets is forbidden: ${user} cannot list resource "secrets" in API group "" at the cluster scope`],
      [['get', 'propagationpolicies', '-A'], `propagationpolicies.policy.karmada.io is forbidden: ${user} cannot list resource "propagationpolicies" in API group "policy.karmada.io" at the cluster scope`],
      [['get', 'clusters'], `clusters.cluster.karmada.io is forbidden: ${user} cannot list resource "clusters" in API group "cluster.karmada.io" at the cluster scope`],
      [['label', 'cluster', 'pm', 'taken=over'], `clusters.cluster.karmada.io "pm" is forbidden: ${user} cannot patch resource "clusters" in API group "cluster.karmada.io" at the cluster scope`],
      [['delete', 'lease', 'other', '-n', 'karmada-cluster'], `leases.coordination.k8s.io "other" is forbidden: ${user} cannot delete resource "leases" in API group "coordination.k8s.io" in the namespace "karmada-cluster"`],
      [['create', 'namespace', 'mine'], `namespaces is forbidden: ${user} cannot create resource "namespaces" in API group "" at the cluster scope`],
    ];
    for (const [args, message] of refused) {
      const err = kubectlFails(asAgent, args);
      assert.ok(err.includes(`Error from server (Forbidden): ${message}`), `${args.join(' ')}: ${err}`);
    }
  });

  it('the agent obtained its certificate with the bootstrap token: a request approved and signed', async () => {
    const agentUser = kubectlOk({ ...cp, kubeconfig: agentKubeconfig }, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
    assert.equal(agentUser, 'system:karmada:agent:pm ["system:karmada:agents","system:authenticated"]');
    const table = kubectlOk(cp, ['get', 'csr']);
    assert.match(table, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/m);
    assert.match(table, /^agent-csr-pm-\S+\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:bootstrap:[a-z0-9]{6}\s+<none>\s+Approved,Issued$/m);
  });

  it('a bootstrap token may ask for its own cluster\'s certificate only, and do nothing else', async () => {
    const token = /token: (\S+)/.exec(readFileSync(bootstrapKubeconfig, 'utf8'))![1]!;
    const asBootstrap = withToken(cp, token);
    const user = `User "system:bootstrap:${token.slice(0, 6)}"`;
    for (const [args, message] of [
      [['get', 'secrets', '-n', 'kube-system'], `secrets is forbidden: ${user} cannot list resource "secrets" in API group "" in the namespace "kube-system"`],
      [['get', 'works', '-n', 'karmada-es-pm'], `works.work.karmada.io is forbidden: ${user} cannot list resource "works" in API group "work.karmada.io" in the namespace "karmada-es-pm"`],
      [['get', 'clusters'], `clusters.cluster.karmada.io is forbidden: ${user} cannot list resource "clusters" in API group "cluster.karmada.io" at the cluster scope`],
    ] as Array<[string[], string]>) {
      const err = kubectlFails(asBootstrap, args);
      assert.ok(err.includes(`Error from server (Forbidden): ${message}`), `${args.join(' ')}: ${err}`);
    }
    // Someone else's agent identity: the request is denied, not signed.
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const request = forge.pki.createCertificationRequest();
    request.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
    request.setSubject([{ name: 'commonName', value: 'system:karmada:agent:other' }, { name: 'organizationName', value: 'system:karmada:agents' }]);
    request.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
    kubectlOk(asBootstrap, ['create', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'takeover' },
      spec: { request: Buffer.from(forge.pki.certificationRequestToPem(request)).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
    }) });
    const denied = await waitFor('takeover denied', async () => {
      const csr = (await api(cp, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/takeover')).json;
      return csr?.status?.conditions?.length ? csr : undefined;
    });
    assert.equal(denied.spec.username, `system:bootstrap:${token.slice(0, 6)}`);
    assert.deepEqual(denied.status.conditions.map((c: any) => [c.type, c.reason]), [['Denied', 'AgentCertificateDenied']]);
    assert.match(denied.status.conditions[0].message, /may not request the agent certificate of cluster "other"/);
    assert.equal(denied.status.certificate, undefined);
  });

  it('an expired bootstrap token authenticates no one and is deleted; an agent with it says what to do', async () => {
    const id = 'exp123';
    const secrets = '/api/v1/namespaces/kube-system/secrets';
    assert.equal((await api(cp, 'POST', secrets, bootstrapTokenSecret(id, '0123456789abcdef', new Date(Date.now() + 3000),
      ['system:bootstrappers:karmada:default-cluster-token', 'system:bootstrappers:canopy:cluster:pm']))).status, 201);
    const asToken = withToken(cp, `${id}.0123456789abcdef`);
    assert.equal(kubectlOk(asToken, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']), `system:bootstrap:${id}`);
    assert.match(kubectlFails(withToken(cp, `${id}.0123456789abcdeX`), ['auth', 'whoami']), /Unauthorized/);
    await waitFor('the expired token deleted', async () => ((await api(cp, 'GET', `${secrets}/bootstrap-token-${id}`)).status === 404 ? true : undefined));
    assert.match(kubectlFails(asToken, ['auth', 'whoami']), /Unauthorized/);
    const bootstrap = join(cp.dir, 'expired-bootstrap.kubeconfig');
    writeFileSync(bootstrap, readFileSync(asToken.kubeconfig, 'utf8'));
    const run = canopy(['agent', '--cluster-name', 'pm', '--bootstrap-kubeconfig', bootstrap, '--control-plane-kubeconfig', join(cp.dir, 'none.kubeconfig'),
      '--kubeconfig', member.kubeconfig], cp);
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr, 'error: the control plane refused the bootstrap token (expired or deleted); run `canopy register pm` again for a new one\n');
  });

  it('Works reach the member and status comes back', async () => {
    apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pull' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'pull' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
      policy('web', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }])]);
    await waitFor('web on the member', () => memberGet(member, ['deployment', 'web', '-n', 'pull']));
    const template = await waitFor('status aggregated to the template', async () => {
      const d = (await api(cp, 'GET', '/apis/apps/v1/namespaces/pull/deployments/web')).json;
      return d?.status?.readyReplicas === 2 ? d : undefined;
    });
    assert.equal(template.status.replicas, 2);
    const work = (await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-pm/works')).json.items[0];
    assert.ok(work.metadata.finalizers.includes('karmada.io/execution-controller'));
    assert.equal(work.status.conditions.find((c: any) => c.type === 'Applied').status, 'True');
  });

  it('a silent agent makes the cluster Unknown and unreachable; it recovers when the agent returns', async () => {
    await killAgent();
    const lost = await waitFor('pm Unknown', async () => {
      const c = await cluster();
      return ready(c) === 'Unknown' ? c : undefined;
    });
    assert.equal(lost.status.conditions.find((x: any) => x.type === 'Ready').reason, 'ClusterStatusUnknown');
    await waitFor('the unreachable taint', async () =>
      ((await cluster()).spec.taints ?? []).some((t: any) => t.key === 'cluster.karmada.io/unreachable' && t.effect === 'NoSchedule') ? true : undefined);
    agent = await startAgent();
    await waitFor('pm Ready again, untainted', async () => {
      const c = await cluster();
      return ready(c) === 'True' && !(c.spec.taints ?? []).length ? true : undefined;
    });
  });

  it('an agent killed mid-apply converges after a restart', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `cm-${i}`);
    apply([policy('cms', [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { batch: 'one' } } }]),
      ...names.map((n) => ({ ...configMap(n), metadata: { ...configMap(n).metadata, labels: { batch: 'one' } } }))]);
    await waitFor('the first ConfigMap applied', () => memberGet(member, ['configmap', 'cm-0', '-n', 'pull']));
    await killAgent();
    agent = await startAgent();
    await waitFor('all 40 on the member', () => {
      const list = memberGet(member, ['configmaps', '-n', 'pull', '-l', 'batch=one']);
      return list?.items.length === 40 ? true : undefined;
    });
  });

  it('the agent renews its certificate with its current one, and keeps working', async () => {
    const before = agentCertificate();
    await killAgent();
    // A threshold just under 1 makes a fresh certificate due at once.
    agent = await startAgent(['--cert-rotation-checking-interval', '1s', '--cert-rotation-remaining-time-threshold', '0.9999999']);
    await waitFor('a renewed certificate', () => (agentCertificate().serialNumber !== before.serialNumber ? true : undefined));
    assert.equal(agentCertificate().subject, before.subject);
    assert.match(kubectlOk(cp, ['get', 'csr']), /^agent-csr-pm-\S+\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:karmada:agent:pm\s+<none>\s+Approved,Issued$/m);
    apply([{ ...configMap('renewed'), metadata: { ...configMap('renewed').metadata, labels: { batch: 'one' } } }]);
    await waitFor('renewed on the member', () => memberGet(member, ['configmap', 'renewed', '-n', 'pull']));
    await killAgent();
    agent = await startAgent();
  });

  it('Works keep flowing through a control plane restart', async () => {
    await cp.kill();
    // On its old address: the agent's kubeconfig names it.
    cp = await startServer({ dir: cp.dir, port: Number(new URL(cp.url).port), args: ['--cluster-status-update-frequency', '1', '--cluster-monitor-grace-period', String(GRACE_SECONDS)] });
    apply([{ ...configMap('after-restart'), metadata: { ...configMap('after-restart').metadata, labels: { batch: 'one' } } }]);
    await waitFor('after-restart on the member', () => memberGet(member, ['configmap', 'after-restart', '-n', 'pull']));
  });
});
