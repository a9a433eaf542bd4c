// A CustomResourceDefinition being deleted first has all its custom resources deleted.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import { CRD_CLEANUP_FINALIZER, resourcesOfCRD } from '../registry/crd/strategies.ts';
import type { ObjectService } from '../registry/objects.ts';
import { storagePrefix } from '../registry/objects.ts';
import { WorkQueue } from './queue.ts';
import { watchResource, type Controller } from './runtime.ts';

export function crdCleanupController(objects: ObjectService, logger: Logger): Controller {
  const crds = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const queue = new WorkQueue(async (name) => {
    const crd = await objects.tryGet(crds, undefined, name);
    if (!crd?.metadata.deletionTimestamp || !crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return;
    const resource = resourcesOfCRD(crd).find((r) => r.storage) ?? resourcesOfCRD(crd)[0];
    if (resource) {
      const page = await objects.store.list(storagePrefix(resource), { limit: 500 });
      if (page.kvs.length) {
        for (const kv of page.kvs) {
          const item = objects.decode(resource, kv);
          if (item.metadata.deletionTimestamp) continue;
          await objects.delete(resource, item.metadata.namespace, item.metadata.name).catch((e) => {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          });
        }
        return { requeueAfterMs: 500 };
      }
    }
    await objects.modify(crds, undefined, name, (current) => {
      current.metadata.finalizers = current.metadata.finalizers.filter((f: string) => f !== CRD_CLEANUP_FINALIZER);
      return current;
    });
  }, { onError: (key, err) => logger.warn({ crd: key, err }, 'custom resource cleanup failed; retrying') });
  return watchResource(objects, crds, queue, (obj) => obj.metadata.name);
}
