// The metadata Config Sync adds to every object of a hierarchical repo before it is synced
// (pkg/validate/raw/hydrate): the namespace of objects in namespace directories, the declared version, the cluster
// name, the source path, HNC tree labels on Namespaces and the lifecycle annotation on special namespaces.
import {
  ANNOTATION, baseName, DEPTH_LABEL_SUFFIX, directoryOf, type FileObject, isKind, LABEL, MANAGED_BY_VALUE, NAMESPACE,
  NAMESPACE_SELECTOR, NAMESPACES_DIR, nameOf, namespaceOf, setAnnotation, setLabel, topLevelDirectory, versionOf,
} from './objects.ts';
import type { SourceFormat } from './reader.ts';

/** The tree label of the repo's `namespaces/` directory itself. */
export const ROOT_TREE_NAME = 'root';

/** Namespaces Config Sync never deletes, even when they leave the repo (differ.SpecialNamespaces). */
const SPECIAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system']);

/** A Namespace in namespaces/ whose directory carries its name. */
function isNamespaceOfItsDirectory(fo: FileObject): boolean {
  return isKind(fo.object, NAMESPACE) && topLevelDirectory(fo.path) === NAMESPACES_DIR
    && nameOf(fo.object) === baseName(directoryOf(fo.path));
}

/** Objects without a namespace in a namespace directory get that namespace (hydrate.ObjectNamespaces). */
export function setNamespacesFromDirectories(objects: readonly FileObject[]): void {
  const namespaces = new Set(objects.filter(isNamespaceOfItsDirectory).map((fo) => nameOf(fo.object)));
  for (const fo of objects) {
    if (topLevelDirectory(fo.path) !== NAMESPACES_DIR) continue;
    if (isKind(fo.object, NAMESPACE) || isKind(fo.object, NAMESPACE_SELECTOR)) continue;
    const dir = baseName(directoryOf(fo.path));
    if (namespaceOf(fo.object) === '' && namespaces.has(dir)) fo.object.metadata.namespace = dir;
  }
}

/** The metadata of hydrate.DeclaredVersion, ClusterName, Filepath, HNCDepth (hierarchy repos) and PreventDeletion. */
export function addSyncMetadata(objects: readonly FileObject[], clusterName: string, format: SourceFormat): void {
  for (const fo of objects) {
    setLabel(fo.object, LABEL.declaredVersion, versionOf(fo.object));
    if (clusterName) setAnnotation(fo.object, ANNOTATION.clusterName, clusterName);
    setAnnotation(fo.object, ANNOTATION.sourcePath, fo.path);
    if (!isKind(fo.object, NAMESPACE)) continue;
    if (format === 'hierarchy') {
      addTreeLabels(fo);
      const declaredManagedBy = fo.object.metadata.annotations[ANNOTATION.hncManagedBy];
      if (declaredManagedBy) setAnnotation(fo.object, ANNOTATION.originalHncManagedBy, declaredManagedBy);
      setAnnotation(fo.object, ANNOTATION.hncManagedBy, MANAGED_BY_VALUE);
    }
    if (SPECIAL_NAMESPACES.has(nameOf(fo.object))) setAnnotation(fo.object, ANNOTATION.lifecycleDeletion, 'detach');
  }
}

/**
 * `<dir>.tree.hnc.x-k8s.io/depth` for the namespace's own directory (0), each directory above it, and `root` for
 * `namespaces/` itself: `namespaces/online/shipping-prod/ns.yaml` gives shipping-prod 0, online 1, root 2.
 */
function addTreeLabels(fo: FileObject): void {
  const elements = fo.path.split('/');
  if (elements.length < 3 || elements[0] !== NAMESPACES_DIR) return;
  const directories = [ROOT_TREE_NAME, ...elements.slice(1, -1)];
  directories.forEach((dir, i) => setLabel(fo.object, `${dir}${DEPTH_LABEL_SUFFIX}`, String(directories.length - i - 1)));
}
