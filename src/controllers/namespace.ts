// Namespace lifecycle: a namespace marked for deletion has its contents deleted, then is finalized.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { WorkQueue } from './queue.ts';
import { watchResource, type Controller } from './runtime.ts';

const FINALIZER = 'kubernetes';
const RECHECK_MS = 1000;

export function namespaceController(objects: ObjectService, logger: Logger): Controller {
  const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
  const queue = new WorkQueue((name) => reconcile(name), {
    onError: (key, err) => logger.warn({ namespace: key, err }, 'namespace cleanup failed; retrying'),
  });

  async function reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    const ns = await objects.tryGet(namespaces, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const resource of namespacedStorageResources(objects)) {
      const list = await objects.list(resource, name);
      for (const item of list.items) {
        remaining++;
        if (item.metadata.deletionTimestamp) continue;
        try {
          await objects.delete(resource, name, item.metadata.name, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
    }
    if (remaining > 0) return { requeueAfterMs: RECHECK_MS };
    if (ns.spec?.finalizers?.includes(FINALIZER)) {
      await objects.update(namespaces, undefined, name, {
        ...ns, spec: { ...ns.spec, finalizers: ns.spec.finalizers.filter((f: string) => f !== FINALIZER) },
      }, {}, 'finalize').catch((e) => {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      });
    }
  }

  return watchResource(objects, namespaces, queue, (obj) => obj.metadata.name);
}

/** Every namespaced resource's storage version (each group/plural once). */
export function namespacedStorageResources(objects: ObjectService): ResourceInfo[] {
  return objects.registry.all().filter((r) => r.namespaced && r.storage);
}
