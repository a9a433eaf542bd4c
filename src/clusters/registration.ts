// Registering a Pull cluster (with the control plane's admin kubeconfig): the Cluster in Pull mode, its Lease, RBAC
// that lets its agent read only its own execution namespace and write only its own Cluster (status) and Lease, and
// a bootstrap token that expires and can register only this cluster. With it the agent asks for its own client
// certificate (user system:karmada:agent:<cluster>), which the control plane approves and signs.
import { CLUSTER_SECRETS_NAMESPACE as CLUSTER_LEASE_NAMESPACE } from '../controlplane/bootstrap.ts';
import { microTime } from '../controllers/runtime.ts';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecret, newBootstrapToken, tokenString,
} from '../certificates/bootstrap-token.ts';
import { kubeconfigYaml } from '../kubeconfig.ts';
import type { MemberClient } from '../members/client.ts';
import { AGENT_BOOTSTRAP_GROUP, agentUser, bootstrapGroupOf } from './agent-identity.ts';
import { expectOk, MembershipError, validateClusterName } from './membership.ts';

const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const NAMESPACE_WAIT_MS = 30_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

/** The Roles and bindings of one cluster's agent: nothing beyond its own objects. */
export function agentRbac(cluster: string): Array<{ path: string; object: KObject }> {
  const name = `canopy:agent:${cluster}`;
  const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: agentUser(cluster) }];
  const own = [cluster];
  const executionSpace = `karmada-es-${cluster}`;
  return [
    { path: `${RBAC}/clusterroles`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name },
      rules: [
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], resourceNames: own, verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters/status'], resourceNames: own, verbs: ['get', 'update', 'patch'] },
        // Renewing its own certificate.
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
      ] } },
    { path: `${RBAC}/clusterrolebindings`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects } },
    { path: `${RBAC}/namespaces/${executionSpace}/roles`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
      metadata: { name, namespace: executionSpace },
      rules: [
        { apiGroups: ['work.karmada.io'], resources: ['works'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { apiGroups: ['work.karmada.io'], resources: ['works/status'], verbs: ['get', 'update', 'patch'] },
      ] } },
    { path: `${RBAC}/namespaces/${executionSpace}/rolebindings`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name, namespace: executionSpace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects } },
    { path: `${RBAC}/namespaces/${CLUSTER_LEASE_NAMESPACE}/roles`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
      metadata: { name, namespace: CLUSTER_LEASE_NAMESPACE },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: own, verbs: ['get', 'update', 'patch'] }] } },
    { path: `${RBAC}/namespaces/${CLUSTER_LEASE_NAMESPACE}/rolebindings`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name, namespace: CLUSTER_LEASE_NAMESPACE }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects } },
  ];
}

/** Creates the object, or replaces the one of that name (keeping its resourceVersion). */
async function put(client: MemberClient, collection: string, object: KObject): Promise<KObject> {
  const created = await client.request('POST', collection, object);
  if (created.status !== 409) return (await expectOk(created, `cannot create ${object.kind} ${object.metadata.name}`)).json;
  const path = `${collection}/${encodeURIComponent(object.metadata.name)}`;
  const current = (await expectOk(await client.request('GET', path), `cannot read ${object.kind} ${object.metadata.name}`)).json;
  const next = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
  return (await expectOk(await client.request('PUT', path, next), `cannot update ${object.kind} ${object.metadata.name}`)).json;
}

export interface Registration {
  /** A kubeconfig with the bootstrap token, for `canopy agent --bootstrap-kubeconfig`. */
  bootstrapKubeconfig: string;
  expiration: Date;
}

/** Registers the cluster and issues its bootstrap token, valid for tokenTtlMs. */
export async function registerPullCluster(controlPlane: MemberClient, cluster: string, tokenTtlMs: number): Promise<Registration> {
  validateClusterName(cluster);
  const caCert = controlPlane.certificateAuthority();
  if (!caCert) throw new MembershipError("the control plane's kubeconfig names no certificate authority; the agent could not check the server");
  const existing = await controlPlane.request('GET', `${CLUSTERS}/${cluster}`);
  let registered: KObject;
  if (existing.status === 200) {
    if (existing.json.spec?.syncMode !== 'Pull') throw new MembershipError(`cluster "${cluster}" is joined in ${existing.json.spec?.syncMode} mode; unjoin it first`);
    registered = existing.json;
  } else {
    await expectOk(existing, 'cannot read the clusters of the control plane', [404]);
    registered = (await expectOk(await controlPlane.request('POST', CLUSTERS, {
      apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: cluster }, spec: { syncMode: 'Pull' },
    }), `cannot create cluster "${cluster}"`)).json;
  }
  // The execution namespace comes from the control plane's controllers once the Cluster exists.
  const deadline = Date.now() + NAMESPACE_WAIT_MS;
  while ((await controlPlane.request('GET', `/api/v1/namespaces/karmada-es-${cluster}`)).status !== 200) {
    if (Date.now() > deadline) throw new MembershipError(`the execution namespace karmada-es-${cluster} did not appear; is the control plane running its controllers?`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const now = microTime(Date.now());
  const lease = await controlPlane.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${CLUSTER_LEASE_NAMESPACE}/leases`, {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: cluster, namespace: CLUSTER_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', name: cluster, uid: registered.metadata.uid }] },
    spec: { holderIdentity: cluster, leaseDurationSeconds: 40, renewTime: now },
  });
  await expectOk(lease, `cannot create the lease of cluster "${cluster}"`, [409]);
  for (const { path, object } of agentRbac(cluster)) await put(controlPlane, path, object);

  const token = newBootstrapToken();
  const expiration = new Date(Date.now() + tokenTtlMs);
  await expectOk(await controlPlane.request('POST', `/api/v1/namespaces/${BOOTSTRAP_TOKEN_NAMESPACE}/secrets`,
    bootstrapTokenSecret(token, expiration, [AGENT_BOOTSTRAP_GROUP, bootstrapGroupOf(cluster)], `bootstrap token of Pull cluster ${cluster}`)),
  'cannot create the bootstrap token');
  const bootstrapKubeconfig = kubeconfigYaml({ server: controlPlane.server, caCert, token: tokenString(token), context: `${cluster}-bootstrap` });
  return { bootstrapKubeconfig, expiration };
}
