// Garbage collection by ownerReferences, as kube-controller-manager's garbage collector does it:
// dependents whose owners are all gone are deleted (background); owners deleted in the foreground wait
// for their dependents; owners deleted with the orphan policy release theirs.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { parseApiVersion } from '../registry/registry.ts';
import type { ResourceInfo } from '../registry/types.ts';
import type { KeyValue, Watcher } from '../storage/store.ts';
import { WorkQueue } from './queue.ts';
import type { Controller } from './runtime.ts';

const ROOT = '/registry/';
const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

interface Node {
  key: string;
  uid: string;
  owners: string[];
}

export function garbageCollector(objects: ObjectService, logger: Logger): Controller {
  const byUid = new Map<string, Node>();
  const dependents = new Map<string, Set<string>>(); // owner uid -> dependent uids
  // Keys: 'owner:<uid>' (an owner being deleted in the foreground or orphaning), 'dependent:<uid>'
  // (a dependent whose owner disappeared).
  const queue = new WorkQueue((key) => reconcile(key), {
    onError: (key, err) => logger.warn({ key, err }, 'garbage collection failed; retrying'),
  });
  let watcher: Watcher | undefined;
  let stopped = false;

  function resourceOfKey(key: string): ResourceInfo | undefined {
    const [group, plural] = key.slice(ROOT.length).split('/');
    return objects.registry.storageResource(group === 'core' ? '' : group!, plural!);
  }

  function observe(kv: KeyValue, deleted: boolean): void {
    let obj: KObject;
    try {
      obj = JSON.parse(kv.value);
    } catch {
      return;
    }
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const previous = byUid.get(uid);
    for (const owner of previous?.owners ?? []) dependents.get(owner)?.delete(uid);
    if (deleted) {
      byUid.delete(uid);
      for (const dep of dependents.get(uid) ?? []) queue.add(`dependent:${dep}`);
      return;
    }
    const owners: string[] = (obj.metadata.ownerReferences ?? []).map((r: KObject) => r?.uid).filter(Boolean);
    byUid.set(uid, { key: kv.key, uid, owners });
    for (const owner of owners) {
      if (!dependents.has(owner)) dependents.set(owner, new Set());
      dependents.get(owner)!.add(uid);
      if (!byUid.has(owner)) queue.add(`dependent:${uid}`);
    }
    const finalizers: string[] = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (finalizers.includes(FOREGROUND) || finalizers.includes(ORPHAN))) queue.add(`owner:${uid}`);
    for (const owner of owners) if (byUid.has(owner)) queue.add(`owner:${owner}`);
  }

  async function load(node: Node): Promise<{ resource: ResourceInfo; obj: KObject } | undefined> {
    const resource = resourceOfKey(node.key);
    if (!resource) return undefined;
    const kv = await objects.store.get(node.key);
    if (!kv) return undefined;
    const obj = objects.decode(resource, kv);
    return obj.metadata.uid === node.uid ? { resource, obj } : undefined;
  }

  async function ownerExists(ref: KObject, namespace: string | undefined): Promise<boolean> {
    if (byUid.has(ref.uid)) return true;
    const { group, version } = parseApiVersion(ref.apiVersion);
    const resource = objects.registry.byKind(group, version, ref.kind);
    if (!resource) return false;
    const owner = await objects.tryGet(resource, resource.namespaced ? namespace : undefined, ref.name);
    return owner?.metadata.uid === ref.uid;
  }

  async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  async function reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const [kind, uid] = key.split(':') as [string, string];
    const node = byUid.get(uid);
    if (!node) return;
    const loaded = await load(node);
    if (!loaded) return;
    const { resource, obj } = loaded;
    const { name, namespace } = obj.metadata;
    if (kind === 'dependent') {
      const refs: KObject[] = obj.metadata.ownerReferences ?? [];
      const alive: KObject[] = [];
      for (const ref of refs) if (await ownerExists(ref, namespace)) alive.push(ref);
      if (alive.length === refs.length || obj.metadata.deletionTimestamp) return;
      if (alive.length === 0) {
        const foreground = refs.some((r) => r.blockOwnerDeletion);
        await ignoreNotFound(objects.delete(resource, namespace, name, { propagationPolicy: foreground ? 'Foreground' : 'Background', preconditions: { uid } }));
      } else {
        await ignoreNotFound(objects.modify(resource, namespace, name, (current) => {
          current.metadata.ownerReferences = alive;
          return current;
        }));
      }
      return;
    }
    const finalizers: string[] = obj.metadata.finalizers ?? [];
    if (!obj.metadata.deletionTimestamp) return;
    const deps = [...(dependents.get(uid) ?? [])].map((d) => byUid.get(d)).filter((d): d is Node => !!d);
    if (finalizers.includes(ORPHAN)) {
      for (const dep of deps) {
        const loadedDep = await load(dep);
        if (!loadedDep) continue;
        await ignoreNotFound(objects.modify(loadedDep.resource, loadedDep.obj.metadata.namespace, loadedDep.obj.metadata.name, (current) => {
          current.metadata.ownerReferences = (current.metadata.ownerReferences ?? []).filter((r: KObject) => r.uid !== uid);
          if (!current.metadata.ownerReferences.length) delete current.metadata.ownerReferences;
          return current;
        }));
      }
      await removeFinalizer(resource, namespace, name, ORPHAN);
      return;
    }
    if (finalizers.includes(FOREGROUND)) {
      let waiting = 0;
      for (const dep of deps) {
        const loadedDep = await load(dep);
        if (!loadedDep) continue;
        waiting++;
        if (!loadedDep.obj.metadata.deletionTimestamp) {
          await ignoreNotFound(objects.delete(loadedDep.resource, loadedDep.obj.metadata.namespace, loadedDep.obj.metadata.name,
            { propagationPolicy: 'Foreground', preconditions: { uid: dep.uid } }));
        }
      }
      if (waiting > 0) return { requeueAfterMs: 500 };
      await removeFinalizer(resource, namespace, name, FOREGROUND);
    }
  }

  async function removeFinalizer(resource: ResourceInfo, namespace: string | undefined, name: string, finalizer: string) {
    await ignoreNotFound(objects.modify(resource, namespace, name, (current) => {
      current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
      return current;
    }));
  }

  async function start(): Promise<void> {
    byUid.clear();
    dependents.clear();
    let startAfter: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await objects.store.list(ROOT, { limit: 1000, startAfter, revision });
      revision = page.revision;
      for (const kv of page.kvs) observe(kv, false);
      if (!page.more || !page.kvs.length) break;
      startAfter = page.kvs[page.kvs.length - 1]!.key;
    }
    if (stopped) return;
    watcher = objects.store.watch(ROOT, revision, {
      onEvent: (event) => observe(event.kv, event.type === 'delete'),
      onError: () => {
        if (!stopped) setTimeout(() => void start().catch(restartLater), 1000).unref();
      },
    });
  }
  const restartLater = (err: unknown) => {
    logger.warn({ err }, 'garbage collector could not start; retrying');
    if (!stopped) setTimeout(() => void start().catch(restartLater), 1000).unref();
  };
  void start().catch(restartLater);

  return {
    async stop() {
      stopped = true;
      watcher?.close();
      queue.stop();
    },
  };
}
