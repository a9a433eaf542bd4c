// HNC's subnamespaces on every server: the anchor reconciler (anchor-reconciler.ts) creates and deletes the
// subnamespace of each SubnamespaceAnchor, and the tree-label reconciler (tree-label-reconciler.ts) keeps the
// tree labels of subnamespaces and of the namespaces holding anchors. Both are level-triggered, from informers.
import type { Logger } from 'pino';
import { errorText, type Controller } from '../controllers/runtime.ts';
import { Informer, whenServed } from '../controllers/informer.ts';
import { WorkQueue } from '../controllers/queue.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { anchorKey, reconcileAnchor } from './anchor-reconciler.ts';
import { SUBNAMESPACE_OF_ANNOTATION } from './metadata.ts';
import { reconcileTreeLabels } from './tree-label-reconciler.ts';

export function subnamespaceController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'subnamespace' });
  let stopped = false;
  const informers: Informer[] = [];
  let cluster: { namespaces: Informer; anchors: Informer } | undefined;

  const anchorQueue = new WorkQueue(async (key) => {
    if (cluster) await reconcileAnchor(objects, cluster, key, log);
  }, { onError: (key, err) => log.warn({ anchor: key, err: errorText(err) }, 'subnamespace anchor reconcile failed; retrying') });
  const labelQueue = new WorkQueue(async (name) => {
    if (cluster) await reconcileTreeLabels(objects, cluster, name);
  }, { onError: (name, err) => log.warn({ namespace: name, err: errorText(err) }, 'tree label sync failed; retrying') });

  /** A namespace changed: its own labels, its subnamespaces' labels and the anchor naming it may follow. */
  const onNamespace = (ns: KObject) => {
    const name = ns.metadata.name as string;
    labelQueue.add(name);
    for (const child of cluster?.namespaces.list() ?? []) {
      if (child.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION] === name) labelQueue.add(child.metadata.name);
    }
    const parent = ns.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION];
    if (parent) anchorQueue.add(anchorKey(parent, name));
    for (const anchor of cluster?.anchors.list() ?? []) {
      if (anchor.metadata.name === name) anchorQueue.add(anchorKey(anchor.metadata.namespace, name));
    }
  };
  const onAnchor = (anchor: KObject) => {
    anchorQueue.add(anchorKey(anchor.metadata.namespace, anchor.metadata.name));
    labelQueue.add(anchor.metadata.namespace);
  };

  (async () => {
    const served = await whenServed(objects, [['', 'v1', 'namespaces'], ['hnc.x-k8s.io', 'v1alpha2', 'subnamespaceanchors']],
      () => stopped);
    if (!served) return;
    const [namespaceResource, anchorResource] = served;
    const namespaces = new Informer(objects, namespaceResource!, (_type, ns) => onNamespace(ns));
    const anchors = new Informer(objects, anchorResource!, (_type, anchor) => onAnchor(anchor));
    informers.push(namespaces, anchors);
    if (stopped) for (const i of informers) i.stop();
    await Promise.all(informers.map((i) => i.synced));
    cluster = { namespaces, anchors };
    for (const anchor of anchors.list()) onAnchor(anchor);
    for (const ns of namespaces.list()) onNamespace(ns);
  })().catch((e) => log.error({ err: errorText(e) }, 'subnamespace controller failed to start'));

  return {
    async stop() {
      stopped = true;
      for (const i of informers) i.stop();
      anchorQueue.stop();
      labelQueue.stop();
    },
  };
}
