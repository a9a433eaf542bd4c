// Keeps the registry's custom resources in line with the stored CustomResourceDefinitions.
import type { ObjectService } from '../objects.ts';
import { syncCustomResources } from './strategies.ts';

/** Registers every stored CRD, then follows changes; returns a function that stops following. */
export async function loadCustomResources(objects: ObjectService): Promise<() => void> {
  const crds = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const list = await objects.list(crds, undefined);
  for (const crd of list.items) syncCustomResources(objects, crd.metadata.name, crd);
  let watcher = follow(list.resourceVersion);
  let stopped = false;
  function follow(resourceVersion: string) {
    return objects.watch(crds, undefined, { resourceVersion, sendInitialState: false }, (event) => {
      syncCustomResources(objects, event.object.metadata.name, event.type === 'DELETED' ? undefined : event.object);
    }, () => {
      // The watch ended (compaction or store restart): reload everything and follow again.
      if (stopped) return;
      setTimeout(() => {
        if (stopped) return;
        void objects.list(crds, undefined).then((fresh) => {
          for (const crd of fresh.items) syncCustomResources(objects, crd.metadata.name, crd);
          watcher = follow(fresh.resourceVersion);
        }, () => { watcher = follow(resourceVersion); });
      }, 1000);
    });
  }
  return () => {
    stopped = true;
    watcher.close();
  };
}
