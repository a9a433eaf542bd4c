// Automatic label sync of global namespaces: the injection labels of a control-plane Namespace reach that
// namespace in each of its homing clusters where it exists, through one Work per (namespace, cluster) in
// Relabel mode: the member namespace is relabelled, never created, taken over or deleted. The Work appears when
// the namespace first carries an injection label and then stays, so that removing a label removes it on the
// members too, until the namespace is deleted or the cluster leaves its homing clusters.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import {
  HOMING_CLUSTERS_ANNOTATION, homingClusters, INJECTION_LABELS, injectionLabels, isSystemNamespace,
} from '../namespaces/injection.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { APPLY_MODE_ANNOTATION, RELABEL_KEYS_ANNOTATION } from './execution.ts';
import { clusterOfExecutionSpace, executionSpaceName } from './execution-namespace.ts';
import { Informer, whenServed } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound, stableJson } from './runtime.ts';

/** On the Works of this controller: the global namespace they carry. */
export const GLOBAL_NAMESPACE_LABEL = 'canopy.io/global-namespace';

export function labelSyncWorkName(namespace: string): string {
  return `canopy-namespace-${namespace}`;
}

/** The Namespace manifest that relabels a member namespace with these injection labels. */
export function relabelManifest(name: string, labels: Record<string, string>, mode: 'Relabel' | 'CreateOrRelabel'): KObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name, labels,
      annotations: { [APPLY_MODE_ANNOTATION]: mode, [RELABEL_KEYS_ANNOTATION]: INJECTION_LABELS.join(',') },
    },
  };
}

export function globalNamespaceController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'global-namespace' });
  let stopped = false;
  const informers: Informer[] = [];
  let namespaces: Informer | undefined;
  let clusters: Informer | undefined;
  let works: Informer | undefined;
  /** Every informer has its first listing: before that, a missing cluster or Work means nothing. */
  let ready = false;

  const queue = new WorkQueue((name) => reconcile(name), {
    maxDelayMs: 30_000,
    onError: (key, err) => log.warn({ namespace: key, err: errorText(err) }, 'namespace label sync failed; retrying'),
  });

  async function reconcile(name: string): Promise<void> {
    if (stopped || !ready || !namespaces || !clusters || !works) return;
    const namespace = await objects.tryGet(namespaces.resource, undefined, name);
    const joined = clusters.list().filter((c) => !c.metadata.deletionTimestamp).map((c) => c.metadata.name as string);
    const wanted = namespace && !namespace.metadata.deletionTimestamp && !isSystemNamespace(name) ? homingClusters(namespace, joined) : [];
    const labels = injectionLabels(namespace?.metadata.labels);
    const existing = works.list().filter((w) => w.metadata.labels?.[GLOBAL_NAMESPACE_LABEL] === name);
    for (const cluster of wanted) {
      const current = existing.find((w) => clusterOfExecutionSpace(w.metadata.namespace) === cluster);
      if (!current && !Object.keys(labels).length) continue;
      const spec = { preserveResourcesOnDeletion: true, workload: { manifests: [relabelManifest(name, labels, 'Relabel')] } };
      if (current && stableJson(current.spec) === stableJson(spec)) continue;
      await putWork(executionSpaceName(cluster), name, spec);
    }
    for (const w of existing) {
      if (wanted.includes(clusterOfExecutionSpace(w.metadata.namespace) ?? '')) continue;
      await objects.delete(works.resource, w.metadata.namespace, w.metadata.name).catch(ignoreNotFound);
    }
  }

  async function putWork(executionSpace: string, namespace: string, spec: KObject): Promise<void> {
    const name = labelSyncWorkName(namespace);
    try {
      await objects.create(works!.resource, executionSpace, {
        apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work',
        metadata: { name, namespace: executionSpace, labels: { [GLOBAL_NAMESPACE_LABEL]: namespace } },
        spec,
      });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      await objects.modify(works!.resource, executionSpace, name, (w) => ({ ...w, spec: { ...w.spec, ...spec } }));
    }
  }

  /** What of a Namespace this controller reads. */
  const relevant = (ns: KObject | undefined) => stableJson([injectionLabels(ns?.metadata.labels),
    ns?.metadata.annotations?.[HOMING_CLUSTERS_ANNOTATION], Boolean(ns?.metadata.deletionTimestamp)]);
  const enqueueAll = () => {
    for (const ns of namespaces?.list() ?? []) queue.add(ns.metadata.name);
  };

  (async () => {
    const served = await whenServed(objects, [['', 'v1', 'namespaces'], ['cluster.karmada.io', 'v1alpha1', 'clusters'],
      ['work.karmada.io', 'v1alpha1', 'works']], () => stopped);
    if (!served) return;
    const [nsRes, clusterRes, workRes] = served;
    works = new Informer(objects, workRes!, (_type, w) => {
      const ns = w.metadata.labels?.[GLOBAL_NAMESPACE_LABEL];
      if (ns) queue.add(ns);
    });
    clusters = new Informer(objects, clusterRes!, (type, c, old) => {
      if (type !== 'MODIFIED' || Boolean(c.metadata.deletionTimestamp) !== Boolean(old?.metadata.deletionTimestamp)) enqueueAll();
    });
    namespaces = new Informer(objects, nsRes!, (type, ns, old) => {
      if (type !== 'MODIFIED' || relevant(ns) !== relevant(old)) queue.add(ns.metadata.name);
    });
    informers.push(works, clusters, namespaces);
    if (stopped) for (const i of informers) i.stop();
    await Promise.all(informers.map((i) => i.synced));
    ready = true;
    enqueueAll();
  })().catch((e) => log.error({ err: errorText(e) }, 'global namespace controller failed to start'));

  return {
    async stop() {
      stopped = true;
      for (const i of informers) i.stop();
      queue.stop();
    },
  };
}
