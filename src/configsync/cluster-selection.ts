// Which objects a cluster gets (pkg/validate/raw/hydrate/cluster_selector_hydrator.go): objects without a selector go
// everywhere; `configmanagement.gke.io/cluster-selector` names a ClusterSelector matched against the cluster's labels;
// `configsync.gke.io/cluster-name-selector` lists cluster names. Objects in a Namespace the cluster does not get are
// dropped with it; Clusters and ClusterSelectors themselves are dropped.
import { matches } from '../apiserver/selectors.ts';
import * as knv from './knv.ts';
import { ANNOTATION, annotationsOf, CLUSTER, CLUSTER_SELECTOR, type FileObject, isKind, NAMESPACE, nameOf, namespaceOf } from './objects.ts';
import { sourceOf } from './raw-validation.ts';
import { isKnvError, selectorOf } from './selector.ts';

/** A cluster objects are hydrated for. Without labels, those of the repo's clusterregistry/ Cluster of that name. */
export interface ClusterInfo {
  name: string;
  labels?: Record<string, string>;
}

/** The labels a cluster is selected by: its own, else those of its Cluster object in the repo. */
function clusterLabels(objects: readonly FileObject[], cluster: ClusterInfo): Record<string, string> {
  if (cluster.labels) return cluster.labels;
  const declared = objects.find((fo) => isKind(fo.object, CLUSTER) && nameOf(fo.object) === cluster.name);
  return declared?.object.metadata.labels ?? {};
}

/** Whether the inline selector's comma-separated names include the cluster (case-insensitive, as upstream). */
function namedInline(selector: string, clusterName: string): boolean {
  return clusterName !== '' && selector.split(',').some((n) => n.trim().toLowerCase() === clusterName.toLowerCase());
}

/**
 * The objects the cluster gets, or the errors that keep it from being decided. An object with both annotations must
 * satisfy both.
 */
export function selectForCluster(objects: readonly FileObject[], cluster: ClusterInfo): { objects: FileObject[]; errors: knv.KnvError[] } {
  const errors: knv.KnvError[] = [];
  const labels = clusterLabels(objects, cluster);
  const activeSelectors = new Map<string, boolean>();
  for (const fo of objects.filter((o) => isKind(o.object, CLUSTER_SELECTOR))) {
    const selector = selectorOf(fo, false);
    if (isKnvError(selector)) errors.push(selector);
    else activeSelectors.set(nameOf(fo.object), matches(selector, labels));
  }
  if (errors.length) return { objects: [], errors };

  const isSelected = (fo: FileObject): boolean | undefined => {
    const annotations = annotationsOf(fo.object);
    const selectorName = annotations[ANNOTATION.clusterSelector];
    const inline = annotations[ANNOTATION.clusterNameSelector];
    if (inline !== undefined && !namedInline(inline, cluster.name)) return false;
    if (selectorName === undefined) return true;
    const active = activeSelectors.get(selectorName);
    if (active === undefined) errors.push(knv.objectHasUnknownClusterSelector(sourceOf(fo, false), selectorName));
    return active;
  };

  const candidates = objects.filter((fo) => !isKind(fo.object, CLUSTER) && !isKind(fo.object, CLUSTER_SELECTOR));
  const namespaces = candidates.filter((o) => isKind(o.object, NAMESPACE));
  const selectedNamespaces = new Set(namespaces.filter((fo) => isSelected(fo) === true));
  const namespaceActive = new Map<string, boolean>();
  for (const fo of namespaces) {
    const name = nameOf(fo.object);
    namespaceActive.set(name, namespaceActive.get(name) === true || selectedNamespaces.has(fo));
  }
  const selected = candidates.filter((fo) => {
    if (isKind(fo.object, NAMESPACE)) return selectedNamespaces.has(fo);
    if (namespaceActive.get(namespaceOf(fo.object)) === false) return false;
    return isSelected(fo) === true;
  });
  return errors.length ? { objects: [], errors } : { objects: selected, errors };
}
