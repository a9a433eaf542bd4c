// Keeps the tree labels (tree-labels.ts) of the namespaces taking part in a hierarchy: subnamespaces and the
// namespaces holding anchors. Each also gets hnc.x-k8s.io/included-namespace, as HNC marks the namespaces it manages.
// A namespace's change requeues its subnamespaces (controller.ts), so a whole chain follows its root.
import { isDeepStrictEqual } from 'node:util';
import { ignoreNotFound } from '../controllers/runtime.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { HncCache } from './anchor-reconciler.ts';
import { INCLUDED_NAMESPACE_LABEL, isExcludedNamespace, SUBNAMESPACE_OF_ANNOTATION } from './metadata.ts';
import { wantedTreeLabels, withTreeLabels } from './tree-labels.ts';

export async function reconcileTreeLabels(objects: ObjectService, cache: HncCache, name: string): Promise<void> {
  const namespace = cache.namespaces.get(undefined, name);
  if (!namespace || namespace.metadata.deletionTimestamp || isExcludedNamespace(name)) return;
  const parentName: string | undefined = namespace.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION];
  if (!parentName && !cache.anchors.list(name).length) return;
  const parent = parentName ? cache.namespaces.get(undefined, parentName) : undefined;
  if (isDeepStrictEqual(hierarchyLabels(namespace, parent), namespace.metadata.labels ?? {})) return;
  await objects.modify(cache.namespaces.resource, undefined, name,
    (current) => ({ ...current, metadata: { ...current.metadata, labels: hierarchyLabels(current, parent) } }))
    .catch(ignoreNotFound);
}

/** A namespace's labels with its tree labels and the included-namespace label as they should be. */
function hierarchyLabels(namespace: KObject, parent: KObject | undefined): Record<string, string> {
  return { ...withTreeLabels(namespace.metadata.labels, wantedTreeLabels(namespace, parent)), [INCLUDED_NAMESPACE_LABEL]: 'true' };
}
