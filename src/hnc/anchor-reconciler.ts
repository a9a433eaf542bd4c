// The anchor reconciler, after upstream's internal/anchor/reconciler.go: an anchor CHILD in namespace PARENT gets
// the namespace CHILD, annotated hnc.x-k8s.io/subnamespace-of: PARENT and with its tree labels, and reports in
// status.status whether that namespace is its subnamespace (Ok), is missing (Missing), is some other namespace
// (Conflict) or may not be a subnamespace at all (Forbidden). Its finalizer keeps the anchor until the
// subnamespace is gone. Deleting the anchor deletes the subnamespace only when it is Ok and has no subnamespaces
// of its own (Canopy has no allowCascadingDeletion: such a subnamespace is left in place, as upstream does without
// it, and the anchor goes).
import type { Logger } from 'pino';
import { ignoreNotFound } from '../controllers/runtime.ts';
import type { Informer } from '../controllers/informer.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import {
  ANCHOR_FINALIZER, type AnchorState, INCLUDED_NAMESPACE_LABEL, isExcludedNamespace, SUBNAMESPACE_OF_ANNOTATION,
} from './metadata.ts';
import { wantedTreeLabels } from './tree-labels.ts';

export interface HncCache {
  namespaces: Informer;
  anchors: Informer;
}

export function anchorKey(parent: string, child: string): string {
  return `${parent}/${child}`;
}

export async function reconcileAnchor(objects: ObjectService, cache: HncCache, key: string, log: Logger): Promise<void> {
  const [parent, child] = key.split('/') as [string, string];
  const anchors = cache.anchors.resource;
  const anchor = await objects.tryGet(anchors, parent, child);
  if (!anchor) return;
  const hasFinalizer = (anchor.metadata.finalizers ?? []).includes(ANCHOR_FINALIZER);
  if (isExcludedNamespace(parent)) {
    // Anchors in excluded namespaces are ignored; one with our finalizer may still go.
    if (hasFinalizer) await writeAnchor(objects, anchors, anchor, anchor.status?.status, false);
    return;
  }
  if (isExcludedNamespace(child)) {
    await writeAnchor(objects, anchors, anchor, 'Forbidden', false);
    return;
  }
  const namespace = await objects.tryGet(cache.namespaces.resource, undefined, child);
  const state: AnchorState = !namespace ? 'Missing'
    : namespace.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION] === parent ? 'Ok' : 'Conflict';

  if (anchor.metadata.deletionTimestamp) {
    if (!hasFinalizer) return;
    if (state === 'Ok' && !namespace!.metadata.deletionTimestamp) {
      if (!hasSubnamespaces(cache, child)) {
        log.info({ namespace: child, parent }, 'deleting subnamespace with its anchor');
        await objects.delete(cache.namespaces.resource, undefined, child).catch(ignoreNotFound);
        return;
      }
      log.info({ namespace: child, parent }, 'subnamespace has subnamespaces of its own; leaving it in place');
    } else if (state === 'Ok') {
      return; // the subnamespace is terminating: the anchor waits for it to go
    }
    await writeAnchor(objects, anchors, anchor, state, false);
    return;
  }

  if (state === 'Missing') {
    try {
      await createSubnamespace(objects, cache, parent, child);
    } catch (e) {
      await writeAnchor(objects, anchors, anchor, 'Missing', true);
      throw e;
    }
    log.info({ namespace: child, parent }, 'created subnamespace');
  }
  await writeAnchor(objects, anchors, anchor, state === 'Missing' ? 'Ok' : state, true);
}

async function createSubnamespace(objects: ObjectService, cache: HncCache, parent: string, child: string): Promise<void> {
  const metadata = { name: child, annotations: { [SUBNAMESPACE_OF_ANNOTATION]: parent } };
  const parentNamespace = await objects.tryGet(cache.namespaces.resource, undefined, parent);
  const labels = { [INCLUDED_NAMESPACE_LABEL]: 'true', ...wantedTreeLabels({ metadata }, parentNamespace) };
  await objects.create(cache.namespaces.resource, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { ...metadata, labels } });
}

/** Whether a namespace holds anchors or is the parent of a subnamespace. */
function hasSubnamespaces(cache: HncCache, name: string): boolean {
  return cache.anchors.list(name).length > 0
    || cache.namespaces.list().some((ns) => ns.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION] === name);
}

/** Writes the anchor's state and whether it carries the finalizer, when either differs. */
async function writeAnchor(objects: ObjectService, anchors: ResourceInfo, anchor: KObject, state: AnchorState | undefined,
  finalizer: boolean): Promise<void> {
  const has = (a: KObject) => ((a.metadata.finalizers ?? []) as string[]).includes(ANCHOR_FINALIZER);
  if (anchor.status?.status === state && has(anchor) === finalizer) return;
  await objects.modify(anchors, anchor.metadata.namespace, anchor.metadata.name, (current) => {
    const others = ((current.metadata.finalizers ?? []) as string[]).filter((f) => f !== ANCHOR_FINALIZER);
    const finalizers = finalizer ? [...others, ANCHOR_FINALIZER] : others;
    const metadata = { ...current.metadata, finalizers };
    if (!finalizers.length) delete metadata.finalizers;
    return { ...current, metadata, status: state ? { ...current.status, status: state } : current.status };
  }).catch(ignoreNotFound);
}
