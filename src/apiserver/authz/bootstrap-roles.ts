// The default ClusterRoles and ClusterRoleBindings of upstream's bootstrap policy that a Canopy server uses:
// cluster-admin for system:masters, discovery and self-review for every authenticated user, the public info
// (health, version) for everyone, the user-facing admin/edit/view roles, aggregated from labelled roles, and
// certificate requests for the bootstrap tokens of Pull clusters.
import { AGENT_BOOTSTRAP_GROUP } from '../../clusters/agent-identity.ts';
import { ApiError } from '../errors.ts';
import type { KObject, ObjectService } from '../../registry/objects.ts';
import { RBAC_GROUP } from './cache.ts';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from './user.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

function rule(verbs: string[], apiGroups: string[], resources: string[]): KObject {
  return { apiGroups, resources, verbs };
}

function urls(verbs: string[], nonResourceURLs: string[]): KObject {
  return { nonResourceURLs, verbs };
}

function metadata(name: string, labels: Record<string, string> = {}): KObject {
  return {
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  };
}

function clusterRole(name: string, rules: KObject[], labels: Record<string, string> = {}): KObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: metadata(name, labels), rules };
}

/** A role whose rules the aggregation controller gathers from the ClusterRoles labelled `label: "true"`. */
function aggregatedRole(name: string, label: string, labels: Record<string, string> = {}): KObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: metadata(name, labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: 'true' } }] },
  };
}

function clusterRoleBinding(role: string, groups: string[], name = role): KObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: metadata(name),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: groups.map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name })),
  };
}

export const BOOTSTRAP_CLUSTER_ROLES: KObject[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('system:discovery', [urls(['get'], [
    '/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/',
  ])]),
  clusterRole('system:basic-user', [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ]),
  clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
  clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  clusterRole('system:monitoring', [urls(['get'], [
    '/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*',
  ])]),
  aggregatedRole('admin', AGGREGATE_TO_ADMIN),
  aggregatedRole('edit', AGGREGATE_TO_EDIT, { [AGGREGATE_TO_ADMIN]: 'true' }),
  aggregatedRole('view', AGGREGATE_TO_VIEW, { [AGGREGATE_TO_EDIT]: 'true' }),
  clusterRole('system:aggregate-to-admin', [
    rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
    rule(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
  ], { [AGGREGATE_TO_ADMIN]: 'true' }),
  clusterRole('system:aggregate-to-edit', [
    rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
    rule(['create'], [''], ['pods/eviction']),
    rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers',
      'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets',
      'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
    rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
    rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses',
      'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
    rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
  ], { [AGGREGATE_TO_EDIT]: 'true' }),
  clusterRole('system:aggregate-to-view', [
    rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods',
      'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
    rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status',
      'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale',
      'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale',
      'statefulsets/status']),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
    rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
      'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status',
      'replicationcontrollers/scale']),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  ], { [AGGREGATE_TO_VIEW]: 'true' }),
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: KObject[] = [
  clusterRoleBinding('cluster-admin', [SYSTEM_MASTERS]),
  clusterRoleBinding('system:monitoring', ['system:monitoring']),
  clusterRoleBinding('system:discovery', [ALL_AUTHENTICATED]),
  clusterRoleBinding('system:basic-user', [ALL_AUTHENTICATED]),
  clusterRoleBinding('system:public-info-viewer', [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED]),
  // Bootstrap tokens of Pull clusters may ask for their agent's certificate, nothing else.
  clusterRoleBinding('system:node-bootstrapper', [AGENT_BOOTSTRAP_GROUP], 'canopy:agent-bootstrap'),
];

/** Creates the default roles and bindings that do not exist; existing ones, changed or not, are kept. */
export async function bootstrapRbacPolicy(objects: ObjectService): Promise<void> {
  for (const [plural, wanted] of [['clusterroles', BOOTSTRAP_CLUSTER_ROLES], ['clusterrolebindings', BOOTSTRAP_CLUSTER_ROLE_BINDINGS]] as const) {
    const resource = objects.registry.lookup(RBAC_GROUP, 'v1', plural)!;
    const existing = new Set((await objects.list(resource, undefined)).items.map((o) => o.metadata.name));
    for (const obj of wanted) {
      if (existing.has(obj.metadata.name)) continue;
      try {
        await objects.create(resource, undefined, obj);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      }
    }
  }
}
