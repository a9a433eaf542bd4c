// The offline half of Config Sync: a repo read from disk, validated and hydrated for each cluster, with upstream's
// stages (pkg/validate/validate.go). Every stage reports all of its errors; a stage with errors ends the cluster's
// hydration, since later stages rely on what earlier ones check.
import * as knv from './knv.ts';
import { type ClusterInfo, selectForCluster } from './cluster-selection.ts';
import { finalValidationErrors } from './final-validation.ts';
import { hydrateTree } from './inheritance.ts';
import { addSyncMetadata, setNamespacesFromDirectories } from './metadata-hydration.ts';
import {
  ANNOTATION, annotationsOf, CLUSTER, cloneFileObject, type FileObject, isKind, nameOf,
} from './objects.ts';
import { rawValidationErrors } from './raw-validation.ts';
import { readRepo, type RepoFiles, type RepoSource, type SourceFormat } from './reader.ts';
import { scopeObjects } from './scoped-validation.ts';
import { buildTree, flattenTree } from './tree.ts';
import { treeValidationErrors } from './tree-validation.ts';
import { selectUnstructuredNamespaces } from './unstructured.ts';

export type { ClusterInfo } from './cluster-selection.ts';
export type { FileObject, KObject } from './objects.ts';
export type { SourceFormat } from './reader.ts';
export { RepoPathError } from './reader.ts';

export interface HydratedCluster {
  cluster: string;
  /** What the cluster gets, with Config Sync's metadata; empty when there are errors. */
  objects: FileObject[];
  errors: knv.KnvError[];
}

export interface LoadedRepo {
  clusters: HydratedCluster[];
  /** Every cluster's errors, in cluster order. */
  errors: knv.KnvError[];
}

export interface LoadOptions {
  /** The clusters to hydrate for; by default upstream's: defaultcluster, the repo's Clusters and the names its cluster-name selectors list. */
  clusters?: ClusterInfo[];
  format?: SourceFormat;
}

/** The clusters nomos hydrates for when none are named (hydrate.ForEachCluster). */
export function declaredClusters(objects: readonly FileObject[]): ClusterInfo[] {
  const names = new Set<string>([knv.DEFAULT_CLUSTER]);
  for (const fo of objects) {
    if (isKind(fo.object, CLUSTER)) names.add(nameOf(fo.object));
    const inline = annotationsOf(fo.object)[ANNOTATION.clusterNameSelector];
    for (const n of inline?.split(',') ?? []) if (n.trim()) names.add(n.trim());
  }
  return [...names].map((name) => ({ name }));
}

function failed(cluster: string, errors: knv.KnvError[]): HydratedCluster {
  return { cluster, objects: [], errors };
}

/** Reads the repo at root and hydrates it for each cluster. Throws RepoPathError when root is no readable directory. */
export function loadHierarchicalRepo(root: RepoSource, options: LoadOptions = {}): LoadedRepo {
  const format = options.format ?? 'hierarchy';
  const files = readRepo(root, format);
  const clusters = (options.clusters ?? declaredClusters(files.objects)).map((cluster) => hydrate(files, cluster, format));
  return { clusters, errors: clusters.flatMap((c) => c.errors) };
}

/** The objects one cluster gets from the files of a repo, or the errors of the first stage that failed. */
export function hydrate(files: RepoFiles, cluster: ClusterInfo, format: SourceFormat = 'hierarchy'): HydratedCluster {
  if (files.problems.length) return failed(cluster.name, files.problems.map((p) => knv.unreadableFile(p.path, p.message)));
  const objects = files.objects.map(cloneFileObject);
  const rawErrors = rawValidationErrors(objects, format);
  if (rawErrors.length) return failed(cluster.name, rawErrors);

  if (format === 'hierarchy') setNamespacesFromDirectories(objects);
  const selection = selectForCluster(objects, cluster);
  if (selection.errors.length) return failed(cluster.name, selection.errors);
  addSyncMetadata(selection.objects, cluster.name, format);

  const { scoped, errors: scopeErrors } = scopeObjects(selection.objects);
  if (scopeErrors.length) return failed(cluster.name, scopeErrors);

  let final: FileObject[];
  if (format === 'hierarchy') {
    const { tree, errors: treeErrors } = buildTree(scoped);
    if (!tree) return failed(cluster.name, treeErrors);
    const invalid = treeValidationErrors(tree);
    if (invalid.length) return failed(cluster.name, invalid);
    const hydrationErrors = hydrateTree(tree);
    if (hydrationErrors.length) return failed(cluster.name, hydrationErrors);
    final = [...tree.cluster, ...flattenTree(tree.root)];
  } else {
    const selected = selectUnstructuredNamespaces(scoped);
    if (selected.errors.length) return failed(cluster.name, selected.errors);
    final = selected.objects;
  }
  const finalErrors = finalValidationErrors(final);
  return finalErrors.length ? failed(cluster.name, finalErrors) : { cluster: cluster.name, objects: final, errors: [] };
}
