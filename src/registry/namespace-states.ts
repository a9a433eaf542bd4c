// Which namespaces are active, kept by a watch (as upstream's namespace lifecycle admission keeps an informer), so
// that creating a namespaced object need not read its namespace from the store. Only "active" is trusted: a namespace
// not known to be active is read from the store, so one created a moment ago is never refused; and, as upstream, one
// being deleted through this server is read from the store for a while, whatever the watch has yet to deliver.
import type { ObjectService } from './objects.ts';
import type { Watcher } from '../storage/store.ts';

const RESTART_DELAY_MS = 1000;
const LIVE_LOOKUP_MS = 30_000;

export class NamespaceStates {
  private readonly active = new Set<string>();
  /** Namespaces deleted through this server: until when to read them from the store. */
  private readonly liveLookup = new Map<string, number>();
  private watcher?: Watcher;
  private stopped = false;

  constructor(private readonly objects: ObjectService) {
    this.follow();
  }

  isActive(name: string): boolean {
    const until = this.liveLookup.get(name);
    if (until !== undefined) {
      if (until > Date.now()) return false;
      this.liveLookup.delete(name);
    }
    return this.active.has(name);
  }

  /** A namespace is about to be deleted (marked terminating): trust only the store for it for a while. */
  deleting(name: string): void {
    const now = Date.now();
    for (const [known, until] of this.liveLookup) if (until <= now) this.liveLookup.delete(known);
    this.liveLookup.set(name, now + LIVE_LOOKUP_MS);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.active.clear();
  }

  /** Lists the namespaces, then follows every change; after a watch failure, forgets them all and starts over. */
  private follow(): void {
    if (this.stopped) return;
    const namespaces = this.objects.registry.lookup('', 'v1', 'namespaces')!;
    this.watcher = this.objects.watch(namespaces, undefined, { sendInitialState: true }, ({ type, object }) => {
      const terminating = object.metadata.deletionTimestamp || object.status?.phase === 'Terminating';
      if (type === 'DELETED' || terminating) this.active.delete(object.metadata.name);
      else this.active.add(object.metadata.name);
    }, () => {
      this.watcher?.close();
      this.active.clear();
      if (!this.stopped) setTimeout(() => this.follow(), RESTART_DELAY_MS).unref();
    });
  }
}
