// What a RootSync puts into the control plane for one commit, in each member cluster's execution namespace: the hydrated
// objects with the metadata Config Sync's applier sets on what it manages (kpt-config-sync pkg/metadata), in Works the
// execution controller applies. An object detached on deletion has a Work of its own; the others are spread over a fixed
// set of Works (one set for cluster-scoped objects, one for namespaced ones) by a hash of their resource id, so that an
// object always lands in the same Work, a commit changing one object rewrites one Work, and a repo of thousands of
// objects (or namespaces) takes tens of Works. An object leaving its Work leaves the member (the execution controller
// deletes it), unless it is detached or abandoned.
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
/** How many Works share the namespaced objects a RootSync syncs to one cluster (those not detached), and how many the
 *  cluster-scoped ones (Namespaces among them). */
const BUCKETS = { namespaced: 64, clusterScoped: 16 };
/** The name of the RootSync Config Sync gives the short manager name `:root`. */
const DEFAULT_ROOT_SYNC_NAME = 'root-sync';

/** A Work as the RootSync wants it. */
export interface DesiredWork {
  cluster: string;
  namespace: string;
  name: string;
  /** What the Work carries, for errors: the resource id of its one object, or which objects it bundles. */
  subject: string;
  /** The managed Namespaces it carries (for global namespaces). */
  namespaces: KObject[];
  /** It carries cluster-scoped objects only, which namespaced ones may need first (Namespaces, CRDs). */
  clusterScoped: boolean;
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

/** The name of a Work of one object: readable (kind and name) and unique per RootSync and object (a hash of both). */
function workName(rootSyncName: string, id: string, object: KObject): string {
  const hash = createHash('sha256').update(`${rootSyncName}\n${id}`).digest('hex').slice(0, 10);
  const readable = `${String(object.kind).toLowerCase()}-${nameOf(object)}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').slice(0, 200);
  return `${readable}-${hash}`.replace(/^[^a-z0-9]+/, '');
}

/** The name of the Work an object shares with others of its scope: its bucket (a hash of its resource id) and a hash of
 *  the bucket and the RootSync. */
function bundleName(rootSyncName: string, id: string, clusterScoped: boolean): string {
  const prefix = clusterScoped ? 'cluster-objects' : 'objects';
  const bucket = createHash('sha256').update(id).digest().readUInt32BE(0) % (clusterScoped ? BUCKETS.clusterScoped : BUCKETS.namespaced);
  const hash = createHash('sha256').update(`${rootSyncName}\n${prefix}-${bucket}`).digest('hex').slice(0, 10);
  return `${prefix}-${String(bucket).padStart(2, '0')}-${hash}`;
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

/** An object declared `configmanagement.gke.io/managed: disabled`: left on the member as it is. */
function abandonedManifest(object: KObject): KObject {
  const namespace = namespaceOf(object);
  return {
    apiVersion: object.apiVersion, kind: object.kind,
    metadata: { name: nameOf(object), ...(namespace ? { namespace } : {}), annotations: { [APPLY_MODE_ANNOTATION]: 'Abandon' } },
  };
}

/** The Works of one cluster's objects for a commit. */
export function desiredWorks(cluster: string, objects: readonly FileObject[], rootSync: { namespace: string; name: string },
  commit: string): DesiredWork[] {
  const namespace = executionSpaceName(cluster);
  const labels = () => ({ [ROOT_SYNC_NAME_LABEL]: rootSync.name });
  const works: DesiredWork[] = [];
  const bundles = new Map<string, { clusterScoped: boolean; manifests: Array<[string, KObject]> }>();
  for (const fo of objects) {
    const id = resourceId(fo.object);
    const clusterScoped = !namespaceOf(fo.object);
    if (fo.object.metadata?.annotations?.[ANNOTATION.lifecycleDeletion] === 'detach') {
      // Abandoning it is deleting its Work, leaving the object (the controller's part).
      if (isUnmanaged(fo.object)) continue;
      const manifest = managedManifest(fo, rootSync.name, commit);
      works.push({
        cluster, namespace, name: workName(rootSync.name, id, fo.object), subject: id, namespaces: namespacesIn([manifest]), clusterScoped,
        labels: labels(), annotations: { [SYNC_METADATA.resourceId]: id }, spec: { preserveResourcesOnDeletion: true, workload: { manifests: [manifest] } },
      });
      continue;
    }
    const name = bundleName(rootSync.name, id, clusterScoped);
    const bundle = bundles.get(name) ?? { clusterScoped, manifests: [] };
    bundle.manifests.push([id, isUnmanaged(fo.object) ? abandonedManifest(fo.object) : managedManifest(fo, rootSync.name, commit)]);
    bundles.set(name, bundle);
  }
  for (const [name, bundle] of bundles) {
    const manifests = bundle.manifests.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
    works.push({
      cluster, namespace, name, subject: `the objects of Work ${name}`, namespaces: namespacesIn(manifests), clusterScoped: bundle.clusterScoped,
      labels: labels(), annotations: {}, spec: { workload: { manifests } },
    });
  }
  return works;
}

/** The managed Namespaces among a Work's manifests. */
export function namespacesIn(manifests: readonly KObject[]): KObject[] {
  return manifests.filter((m) => isKind(m, NAMESPACE) && m.metadata?.annotations?.[APPLY_MODE_ANNOTATION] !== 'Abandon');
}

/** The Work object to create. */
export function workObject(w: DesiredWork): KObject {
  return {
    apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work',
    metadata: { name: w.name, namespace: w.namespace, labels: w.labels, annotations: w.annotations },
    spec: w.spec,
  };
}
