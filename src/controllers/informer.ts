// A cache of one resource's objects kept current by a watch, with change callbacks (client-go's informer).
// After a watch failure the resource is listed again and the differences are reported as events, so the
// cache and the callbacks never miss a change.
import type { KObject, ObjectEvent, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';

const RESTART_DELAY_MS = 1000;

export type InformerHandler = (type: ObjectEvent['type'], object: KObject, old: KObject | undefined) => void;

export class Informer {
  private readonly cache = new Map<string, KObject>();
  private watcher: { close(): void } | undefined;
  private stopped = false;
  private resolveSynced!: () => void;
  /** Resolves once the first full state has been loaded. */
  readonly synced = new Promise<void>((resolve) => { this.resolveSynced = resolve; });

  constructor(private readonly objects: ObjectService, readonly resource: ResourceInfo, private readonly handler: InformerHandler) {
    this.start();
  }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.cache.get(cacheKey(namespace, name));
  }

  list(namespace?: string): KObject[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
  }

  private start(): void {
    if (this.stopped) return;
    let initial: Map<string, KObject> | undefined = new Map();
    this.watcher = this.objects.watch(this.resource, undefined, {
      sendInitialState: true,
      onInitialStateSent: () => {
        const listed = initial!;
        initial = undefined;
        for (const [key, old] of [...this.cache]) {
          if (!listed.has(key)) {
            this.cache.delete(key);
            this.handler('DELETED', old, old);
          }
        }
        for (const [key, obj] of listed) this.apply(key, obj);
        this.resolveSynced();
      },
    }, (event) => {
      const key = cacheKey(event.object.metadata.namespace, event.object.metadata.name);
      if (initial) {
        initial.set(key, event.object);
        return;
      }
      if (event.type === 'DELETED') {
        const old = this.cache.get(key);
        this.cache.delete(key);
        this.handler('DELETED', event.object, old);
      } else {
        this.apply(key, event.object);
      }
    }, () => {
      this.watcher?.close();
      if (!this.stopped) setTimeout(() => this.start(), RESTART_DELAY_MS).unref();
    });
  }

  private apply(key: string, obj: KObject): void {
    const old = this.cache.get(key);
    if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(key, obj);
    this.handler(old ? 'MODIFIED' : 'ADDED', obj, old);
  }
}

function cacheKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The resources once the registry serves them all (CRDs the control plane installs at start). */
export async function whenServed(objects: ObjectService, wanted: Array<[group: string, version: string, plural: string]>,
  isStopped: () => boolean): Promise<ResourceInfo[] | undefined> {
  for (;;) {
    if (isStopped()) return undefined;
    const found = wanted.map(([g, v, p]) => objects.registry.lookup(g, v, p));
    if (found.every(Boolean)) return found as ResourceInfo[];
    await new Promise((resolve) => setTimeout(resolve, 200).unref());
  }
}
