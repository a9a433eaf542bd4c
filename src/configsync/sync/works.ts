// What a RootSync puts into the control plane for one commit: one Work per (member cluster, object) in the cluster's
// execution namespace, carrying the hydrated object with the metadata Config Sync's applier sets on what it manages
// (kpt-config-sync pkg/metadata). The execution controller applies them; a Work that goes away takes its object
// off the member (unless the object is detached).
import { createHash } from 'node:crypto';
import { executionSpaceName } from '../../controllers/execution-namespace.ts';
import { APPLY_MODE_ANNOTATION, RESOURCE_CONFLICT_RESOLUTION_ANNOTATION, RESOURCE_CONFLICT_RESOLUTION_OVERWRITE } from '../../controllers/execution.ts';
import { MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION } from '../../propagation/names.ts';
import {
  ANNOTATION, type FileObject, groupOf, isKind, type KObject, MANAGED_BY_VALUE, MANAGEMENT_DISABLED, NAMESPACE, nameOf, namespaceOf,
} from '../objects.ts';

/** Config Sync's metadata on managed objects (pkg/metadata). */
export const SYNC_METADATA = {
  resourceId: 'configsync.gke.io/resource-id',
  manager: 'configsync.gke.io/manager',
  token: 'configmanagement.gke.io/token',
  managedByLabel: 'app.kubernetes.io/managed-by',
  mutation: 'client.lifecycle.config.k8s.io/mutation',
} as const;

/** On the Works of a RootSync: which one they belong to. */
export const ROOT_SYNC_NAME_LABEL = 'configsync.canopy.io/root-sync';
/** On the Works of a RootSync: the kind of the object they carry (namespace for Namespaces). */
export const OBJECT_KIND_LABEL = 'configsync.canopy.io/kind';
/** The name of the RootSync Config Sync gives the short manager name `:root`. */
const DEFAULT_ROOT_SYNC_NAME = 'root-sync';

/** A Work as the RootSync wants it. */
export interface DesiredWork {
  cluster: string;
  namespace: string;
  name: string;
  resourceId: string;
  /** The carried object is a Namespace (for the KNV2006 check and global namespaces). */
  namespaceName?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: KObject;
}

/** upstream's core.GKNN: `group_kind_namespace_name` (kind in lower case; no namespace part when cluster-scoped). */
export function resourceId(object: KObject): string {
  const kind = String(object.kind ?? '').toLowerCase();
  const namespace = namespaceOf(object);
  return namespace ? `${groupOf(object)}_${kind}_${namespace}_${nameOf(object)}` : `${groupOf(object)}_${kind}_${nameOf(object)}`;
}

/** declared.ReconcilerManager: `:root` for root-sync, `:root_<name>` for any other RootSync. */
export function managerOf(rootSyncName: string): string {
  return rootSyncName === DEFAULT_ROOT_SYNC_NAME ? ':root' : `:root_${rootSyncName}`;
}

/** Objects a repo declares but Config Sync must not manage (`configmanagement.gke.io/managed: disabled`). */
export function isUnmanaged(object: KObject): boolean {
  return object.metadata?.annotations?.[ANNOTATION.managementMode] === MANAGEMENT_DISABLED;
}

/** The Work name: readable (kind and name) and unique per RootSync and object (a hash of both). */
function workName(rootSyncName: string, id: string, object: KObject): string {
  const hash = createHash('sha256').update(`${rootSyncName}\n${id}`).digest('hex').slice(0, 10);
  const readable = `${String(object.kind).toLowerCase()}-${nameOf(object)}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').slice(0, 200);
  return `${readable}-${hash}`.replace(/^[^a-z0-9]+/, '');
}

/** The hydrated object with the metadata Config Sync's applier sets, and what tells the execution controller how to apply it. */
export function managedManifest(fo: FileObject, rootSyncName: string, commit: string): KObject {
  const object = structuredClone(fo.object);
  const meta = object.metadata;
  meta.labels = { ...(meta.labels ?? {}), [SYNC_METADATA.managedByLabel]: MANAGED_BY_VALUE };
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [ANNOTATION.managementMode]: 'enabled',
    [SYNC_METADATA.resourceId]: resourceId(object),
    [SYNC_METADATA.manager]: managerOf(rootSyncName),
    [SYNC_METADATA.token]: commit,
  };
  // Labels and annotations removed from the repo leave the member object too (tree labels after a move).
  meta.annotations[MANAGED_LABELS_ANNOTATION] = Object.keys(meta.labels).sort().join(',');
  meta.annotations[MANAGED_ANNOTATIONS_ANNOTATION] = [...Object.keys(meta.annotations), MANAGED_ANNOTATIONS_ANNOTATION].sort().join(',');
  // Config Sync adopts a namespace that exists unmanaged, as one the execution controller created for an object in it.
  if (isKind(object, NAMESPACE)) meta.annotations[RESOURCE_CONFLICT_RESOLUTION_ANNOTATION] = RESOURCE_CONFLICT_RESOLUTION_OVERWRITE;
  if (meta.annotations[SYNC_METADATA.mutation] === 'ignore') meta.annotations[APPLY_MODE_ANNOTATION] = 'CreateOnly';
  return object;
}

/** The Works of one cluster's objects for a commit. */
export function desiredWorks(cluster: string, objects: readonly FileObject[], rootSync: { namespace: string; name: string },
  commit: string): DesiredWork[] {
  const namespace = executionSpaceName(cluster);
  return objects.filter((fo) => !isUnmanaged(fo.object)).map((fo) => {
    const id = resourceId(fo.object);
    const manifest = managedManifest(fo, rootSync.name, commit);
    const detach = fo.object.metadata?.annotations?.[ANNOTATION.lifecycleDeletion] === 'detach';
    return {
      cluster, namespace, name: workName(rootSync.name, id, fo.object), resourceId: id,
      ...(isKind(fo.object, NAMESPACE) ? { namespaceName: nameOf(fo.object) } : {}),
      labels: { [ROOT_SYNC_NAME_LABEL]: rootSync.name, [OBJECT_KIND_LABEL]: String(fo.object.kind).toLowerCase() },
      annotations: { [SYNC_METADATA.resourceId]: id },
      spec: { ...(detach ? { preserveResourcesOnDeletion: true } : {}), workload: { manifests: [manifest] } },
    };
  });
}

/** The Work object to create. */
export function workObject(w: DesiredWork): KObject {
  return {
    apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work',
    metadata: { name: w.name, namespace: w.namespace, labels: w.labels, annotations: w.annotations },
    spec: w.spec,
  };
}
