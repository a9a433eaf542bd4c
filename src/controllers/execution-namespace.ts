// The execution namespaces, as Karmada's cluster controller keeps them: every Cluster has the namespace
// karmada-es-<cluster> on the control plane, where the Works for that cluster live; when the Cluster is
// gone, its execution namespace is deleted (and its Works with it).
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, ignoreNotFound } from './runtime.ts';

/** Karmada's names.ExecutionSpacePrefix. */
export const EXECUTION_SPACE_PREFIX = 'karmada-es-';

export function executionSpaceName(cluster: string): string {
  return `${EXECUTION_SPACE_PREFIX}${cluster}`;
}

/** The cluster an execution namespace belongs to, or undefined for any other namespace. */
export function clusterOfExecutionSpace(namespace: string | undefined): string | undefined {
  if (!namespace?.startsWith(EXECUTION_SPACE_PREFIX)) return undefined;
  const name = namespace.slice(EXECUTION_SPACE_PREFIX.length);
  return name || undefined;
}

const RESTART_DELAY_MS = 1000;

export function executionNamespaceController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'execution-namespace' });
  const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
  let clusters: ResourceInfo | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const watchers: Array<{ close(): void }> = [];

  const queue = new WorkQueue((name) => reconcile(name), {
    maxDelayMs: 10_000,
    onError: (key, err) => log.warn({ cluster: key, err: String((err as Error)?.message ?? err) }, 'execution namespace sync failed; retrying'),
  });

  async function reconcile(name: string): Promise<void> {
    if (stopped || !clusters) return;
    const cluster = await objects.tryGet(clusters, undefined, name);
    const nsName = executionSpaceName(name);
    const ns = await objects.tryGet(namespaces, undefined, nsName);
    if (!cluster || cluster.metadata.deletionTimestamp) {
      if (ns && !ns.metadata.deletionTimestamp) {
        log.info({ cluster: name, namespace: nsName }, 'deleting the execution namespace of a removed cluster');
        await objects.delete(namespaces, undefined, nsName, { propagationPolicy: 'Background' }).catch(ignoreNotFound);
      }
      return;
    }
    if (ns && !ns.metadata.deletionTimestamp) return;
    if (ns) {
      // Still terminating from an earlier Cluster of the same name: create it again once it is gone.
      queue.addAfter(name, 1000);
      return;
    }
    try {
      await objects.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName } });
      log.info({ cluster: name, namespace: nsName }, 'created the execution namespace');
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }

  function start(): void {
    if (stopped) return;
    clusters = objects.registry.lookup('cluster.karmada.io', 'v1alpha1', 'clusters');
    if (!clusters) {
      timer = setTimeout(start, RESTART_DELAY_MS);
      timer.unref();
      return;
    }
    const restart = () => {
      if (stopped) return;
      for (const w of watchers.splice(0)) w.close();
      timer = setTimeout(start, RESTART_DELAY_MS);
      timer.unref();
    };
    watchers.push(objects.watch(clusters, undefined, { sendInitialState: true },
      (event) => queue.add(event.object.metadata.name), restart));
    // An execution namespace deleted by hand comes back; one left over from a removed cluster goes.
    watchers.push(objects.watch(namespaces, undefined, { sendInitialState: true }, (event) => {
      const cluster = clusterOfExecutionSpace(event.object.metadata.name);
      if (cluster) queue.add(cluster);
    }, restart));
  }
  start();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers.splice(0)) w.close();
      queue.stop();
    },
  };
}
