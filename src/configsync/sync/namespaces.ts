// The repo's Namespaces as global namespaces of the control plane: each one a RootSync syncs to some member cluster
// exists in the control plane too, with the repo's labels (tree labels included) and the clusters that get it as its
// homing clusters. The control plane's copy is marked with the RootSync's manager; only such a copy is updated or,
// once the repo drops the namespace, deleted. A namespace that exists unmarked is the control plane's own and is
// left alone, as are the system namespaces.
import type { Logger } from 'pino';
import { ApiError } from '../../apiserver/errors.ts';
import { errorText, forEachLimited, stableJson } from '../../controllers/runtime.ts';
import { HOMING_CLUSTERS_ANNOTATION, isSystemNamespace } from '../../namespaces/injection.ts';
import type { KObject, ObjectService } from '../../registry/objects.ts';
import { NAMESPACE_NAME_LABEL } from '../../registry/strategies.ts';
import type { ResourceInfo } from '../../registry/types.ts';
import { CONTROLLER_NAMESPACE, LABEL, MANAGED_BY_VALUE } from '../objects.ts';
import { type DesiredWork, managerOf, SYNC_METADATA } from './works.ts';

/** Namespaces written at the same time. */
const WRITE_CONCURRENCY = 16;
/** Namespaces every cluster has of its own. */
const NEVER_GLOBAL = new Set(['default', CONTROLLER_NAMESPACE]);

interface GlobalNamespace {
  labels: Record<string, string>;
  clusters: string[];
}

/** Creates, updates and deletes the control plane's copies of the namespaces the RootSync syncs. */
export async function syncNamespaces(objects: ObjectService, namespaces: ResourceInfo, rootSyncName: string,
  works: readonly DesiredWork[], logger: Logger): Promise<void> {
  const manager = managerOf(rootSyncName);
  const wanted = new Map<string, GlobalNamespace>();
  for (const w of works) {
    for (const manifest of w.namespaces) {
      const name: string = manifest.metadata.name;
      if (isSystemNamespace(name) || NEVER_GLOBAL.has(name)) continue;
      const entry = wanted.get(name) ?? { labels: {}, clusters: [] };
      const { [LABEL.declaredVersion]: _version, ...labels } = manifest.metadata.labels ?? {};
      Object.assign(entry.labels, labels);
      entry.clusters.push(w.cluster);
      wanted.set(name, entry);
    }
  }
  const existing = new Map<string, KObject>((await objects.list(namespaces, undefined)).items.map((n: KObject) => [n.metadata.name, n]));
  await forEachLimited([...wanted], WRITE_CONCURRENCY, async ([name, ns]) => {
    const annotations = { [SYNC_METADATA.manager]: manager, [HOMING_CLUSTERS_ANNOTATION]: ns.clusters.sort().join(',') };
    const current = existing.get(name);
    if (!current) {
      await objects.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: ns.labels, annotations } })
        .catch((e) => {
          if (!(e instanceof ApiError && e.code === 409)) throw e;
        });
      return;
    }
    if (current.metadata.annotations?.[SYNC_METADATA.manager] !== manager || current.metadata.deletionTimestamp) return;
    const { [NAMESPACE_NAME_LABEL]: _name, ...labels } = current.metadata.labels ?? {};
    if (stableJson([labels, pick(current.metadata.annotations, Object.keys(annotations))]) === stableJson([ns.labels, annotations])) return;
    await objects.modify(namespaces, undefined, name, (n) => ({
      ...n, metadata: { ...n.metadata, labels: ns.labels, annotations: { ...n.metadata.annotations, ...annotations } },
    }));
  });
  const dropped = [...existing.values()].filter((n) => !wanted.has(n.metadata.name) && !n.metadata.deletionTimestamp
    && n.metadata.annotations?.[SYNC_METADATA.manager] === manager && n.metadata.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY_VALUE);
  await forEachLimited(dropped, WRITE_CONCURRENCY, (n) => objects.delete(namespaces, undefined, n.metadata.name).catch((e) => {
    if (!(e instanceof ApiError && e.code === 404)) logger.warn({ namespace: n.metadata.name, err: errorText(e) }, 'cannot delete a namespace the repo dropped');
  }));
}

function pick(record: Record<string, string> | undefined, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => record?.[k] !== undefined).map((k) => [k, record![k]!]));
}
