// Objects read from a Config Sync repo, each with the file that declares it, and the kinds and metadata keys that
// Config Sync gives meaning to (kpt-config-sync pkg/kinds, pkg/metadata).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KObject = Record<string, any>;

/** An object and the slash path of its file, relative to the repo root (`namespaces/online/quota.yaml`). */
export interface FileObject {
  object: KObject;
  path: string;
}

export interface GroupKind {
  group: string;
  kind: string;
}

export const CONFIG_MANAGEMENT_GROUP = 'configmanagement.gke.io';
const CLUSTER_REGISTRY_GROUP = 'clusterregistry.k8s.io';

export const NAMESPACE: GroupKind = { group: '', kind: 'Namespace' };
export const NAMESPACE_SELECTOR: GroupKind = { group: CONFIG_MANAGEMENT_GROUP, kind: 'NamespaceSelector' };
export const CLUSTER_SELECTOR: GroupKind = { group: CONFIG_MANAGEMENT_GROUP, kind: 'ClusterSelector' };
export const HIERARCHY_CONFIG: GroupKind = { group: CONFIG_MANAGEMENT_GROUP, kind: 'HierarchyConfig' };
export const REPO: GroupKind = { group: CONFIG_MANAGEMENT_GROUP, kind: 'Repo' };
export const CLUSTER: GroupKind = { group: CLUSTER_REGISTRY_GROUP, kind: 'Cluster' };
export const CUSTOM_RESOURCE_DEFINITION: GroupKind = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };

/** The top-level directories of a hierarchical repo. */
export const SYSTEM_DIR = 'system';
export const CLUSTER_DIR = 'cluster';
export const CLUSTER_REGISTRY_DIR = 'clusterregistry';
export const NAMESPACES_DIR = 'namespaces';
export const TOP_LEVEL_DIRS = [SYSTEM_DIR, CLUSTER_DIR, CLUSTER_REGISTRY_DIR, NAMESPACES_DIR];

/** The namespace Config Sync itself runs in: no config but RootSyncs may be declared in it. */
export const CONTROLLER_NAMESPACE = 'config-management-system';
/** The namespaces Config Sync's own components use (its controllers, resource groups, monitoring). */
export const RESERVED_NAMESPACES = new Set([CONTROLLER_NAMESPACE, 'resource-group-system', 'config-management-monitoring']);

export const ANNOTATION = {
  namespaceSelector: 'configmanagement.gke.io/namespace-selector',
  clusterSelector: 'configmanagement.gke.io/cluster-selector',
  clusterNameSelector: 'configsync.gke.io/cluster-name-selector',
  clusterName: 'configmanagement.gke.io/cluster-name',
  sourcePath: 'configmanagement.gke.io/source-path',
  managementMode: 'configmanagement.gke.io/managed',
  unknownScope: 'configsync.gke.io/unknown-scope',
  localConfig: 'config.kubernetes.io/local-config',
  hncManagedBy: 'hnc.x-k8s.io/managed-by',
  originalHncManagedBy: 'configsync.gke.io/original-hnc-managed-by-value',
  lifecycleDeletion: 'client.lifecycle.config.k8s.io/deletion',
} as const;

export const LABEL = {
  declaredVersion: 'configsync.gke.io/declared-version',
} as const;

export const DEPTH_LABEL_SUFFIX = '.tree.hnc.x-k8s.io/depth';
export const MANAGED_BY_VALUE = 'configmanagement.gke.io';
export const MANAGEMENT_DISABLED = 'disabled';

const CONFIG_SYNC_PREFIXES = ['configmanagement.gke.io/', 'configsync.gke.io/'];

/** Annotation and label keys Config Sync reserves (metadata.HasConfigSyncPrefix). */
export function hasConfigSyncPrefix(key: string): boolean {
  return CONFIG_SYNC_PREFIXES.some((p) => key.startsWith(p));
}

/** Annotations a user may declare although they carry a Config Sync prefix (metadata.IsSourceAnnotation). */
export const SOURCE_ANNOTATIONS = new Set<string>([
  ANNOTATION.namespaceSelector, ANNOTATION.clusterSelector, ANNOTATION.clusterNameSelector, ANNOTATION.managementMode,
  'configsync.gke.io/deletion-propagation-policy',
]);

export function groupKind(obj: KObject): GroupKind {
  return { group: groupOf(obj), kind: String(obj.kind ?? '') };
}

export function groupOf(obj: KObject): string {
  const apiVersion = String(obj.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(obj: KObject): string {
  const apiVersion = String(obj.apiVersion ?? '');
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

export function isKind(obj: KObject, gk: GroupKind): boolean {
  return obj.kind === gk.kind && groupOf(obj) === gk.group;
}

export function nameOf(obj: KObject): string {
  return typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
}

export function namespaceOf(obj: KObject): string {
  return typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : '';
}

export function annotationsOf(obj: KObject): Record<string, string> {
  return obj.metadata?.annotations ?? {};
}

export function labelsOf(obj: KObject): Record<string, string> {
  return obj.metadata?.labels ?? {};
}

export function setAnnotation(obj: KObject, key: string, value: string): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [key]: value };
}

export function setLabel(obj: KObject, key: string, value: string): void {
  obj.metadata.labels = { ...obj.metadata.labels, [key]: value };
}

/** The directories of a slash path, without the file name. */
export function directoryOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last element of a slash path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The first directory of a slash path (`namespaces` for `namespaces/a/ns.yaml`). */
export function topLevelDirectory(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function cloneFileObject(fo: FileObject): FileObject {
  return { object: structuredClone(fo.object), path: fo.path };
}
