// The built-in kinds Canopy serves, as upstream Kubernetes serves them.
import type { ResourceInfo } from './types.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Spec {
  kind: string;
  plural?: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
}

function group(group: string, version: string, definitionPrefix: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => ({
    group, version, kind: s.kind,
    plural: s.plural ?? `${s.kind.toLowerCase()}s`,
    singular: s.kind.toLowerCase(),
    listKind: `${s.kind}List`,
    namespaced: s.namespaced ?? true,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: ALL_VERBS,
    subresources: s.subresources ?? [],
    definition: `${definitionPrefix}.${s.kind}`,
    storage: true,
  }));
}

const ALL = ['all'];

export const BUILTIN_RESOURCES: ResourceInfo[] = [
  ...group('', 'v1', 'io.k8s.api.core.v1', [
    { kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'] },
    { kind: 'ConfigMap', shortNames: ['cm'] },
    { kind: 'Secret' },
    { kind: 'ServiceAccount', shortNames: ['sa'] },
    { kind: 'Service', shortNames: ['svc'], categories: ALL, subresources: ['status'] },
    { kind: 'ResourceQuota', shortNames: ['quota'], subresources: ['status'] },
    { kind: 'LimitRange', shortNames: ['limits'] },
    { kind: 'Event', shortNames: ['ev'] },
    { kind: 'Pod', shortNames: ['po'], categories: ALL, subresources: ['status'] },
    { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] },
    { kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'] },
    { kind: 'PersistentVolumeClaim', shortNames: ['pvc'], subresources: ['status'] },
  ]),
  ...group('apps', 'v1', 'io.k8s.api.apps.v1', [
    { kind: 'Deployment', shortNames: ['deploy'], categories: ALL, subresources: ['status', 'scale'] },
    { kind: 'StatefulSet', shortNames: ['sts'], categories: ALL, subresources: ['status', 'scale'] },
    { kind: 'DaemonSet', shortNames: ['ds'], categories: ALL, subresources: ['status'] },
    { kind: 'ReplicaSet', shortNames: ['rs'], categories: ALL, subresources: ['status', 'scale'] },
    { kind: 'ControllerRevision' },
  ]),
  ...group('batch', 'v1', 'io.k8s.api.batch.v1', [
    { kind: 'Job', categories: ALL, subresources: ['status'] },
    { kind: 'CronJob', shortNames: ['cj'], categories: ALL, subresources: ['status'] },
  ]),
  ...group('rbac.authorization.k8s.io', 'v1', 'io.k8s.api.rbac.v1', [
    { kind: 'Role' },
    { kind: 'RoleBinding' },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'ClusterRoleBinding', namespaced: false },
  ]),
  ...group('networking.k8s.io', 'v1', 'io.k8s.api.networking.v1', [
    { kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'] },
    { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], subresources: ['status'] },
    { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  ]),
  ...group('coordination.k8s.io', 'v1', 'io.k8s.api.coordination.v1', [
    { kind: 'Lease' },
  ]),
  ...group('policy', 'v1', 'io.k8s.api.policy.v1', [
    { kind: 'PodDisruptionBudget', shortNames: ['pdb'], subresources: ['status'] },
  ]),
  ...group('certificates.k8s.io', 'v1', 'io.k8s.api.certificates.v1', [
    { kind: 'CertificateSigningRequest', namespaced: false, shortNames: ['csr'], subresources: ['status', 'approval'] },
  ]),
  ...group('apiextensions.k8s.io', 'v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1', [
    { kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
      subresources: ['status'] },
  ]),
];
