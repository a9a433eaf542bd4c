// CustomResourceDefinitions: names accepted and Established in status; one being deleted first has all its
// custom resources deleted.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import { CRD_CLEANUP_FINALIZER, resourcesOfCRD } from '../registry/crd/strategies.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { crdStatus, type CustomResourceDefinition } from '../registry/crd/validation.ts';
import { storagePrefix } from '../registry/objects.ts';
import { WorkQueue } from './queue.ts';
import { watchResource, type Controller } from './runtime.ts';

export function crdController(objects: ObjectService, logger: Logger): Controller {
  const crds = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const queue = new WorkQueue(async (name) => {
    const crd = await objects.tryGet(crds, undefined, name);
    if (!crd) return;
    if (!crd.metadata.deletionTimestamp) {
      await establish(crd);
      return;
    }
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return;
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
  }, { onError: (key, err) => logger.warn({ crd: key, err }, 'custom resource definition sync failed; retrying') });

  /** Accepts the CRD's names (unless another CRD of the group holds them) and marks it Established. */
  async function establish(crd: KObject): Promise<void> {
    const others = (await objects.list(crds, undefined)).items;
    const status = crdStatus(crd as CustomResourceDefinition, others as CustomResourceDefinition[]);
    if (JSON.stringify(status) === JSON.stringify(crd.status)) return;
    await objects.update(crds, undefined, crd.metadata.name, { ...crd, status }, {}, 'status');
  }
  return watchResource(objects, crds, queue, (obj) => obj.metadata.name);
}
