// The storage backends the HTTP figures run on: canopy serve on its default SQLite file, and on a local etcd
// the bench starts. Each also opens the raw store in-process for the store baselines.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdStore } from '../src/storage/etcd.ts';
import { SqliteStore } from '../src/storage/sqlite.ts';
import type { Store } from '../src/storage/store.ts';
import { startEtcd } from '../test/support/etcd.ts';
import { tempDir } from './processes.ts';

export interface RawStore {
  store: Store;
  /** Baseline keys go under this prefix (on etcd, away from the keys canopy serve writes to the same etcd). */
  prefix: string;
  close(): Promise<void>;
}

export interface Backend {
  /** SQLite or etcd: in figure titles and notes. */
  name: string;
  /** canopy serve --store (undefined: the default SQLite file in the state directory). */
  storeUrl?: string;
  /** The store class the baselines drive, e.g. `SqliteStore`. */
  storeClass: string;
  openRaw(): Promise<RawStore>;
  stop(): Promise<void>;
}

export const SQLITE: Backend = {
  name: 'SQLite',
  storeClass: 'SqliteStore',
  async openRaw() {
    const dir = tempDir('canopy-bench-store-');
    const store = SqliteStore.open(join(dir, 'store.db'));
    return {
      store, prefix: '/registry/',
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async stop() {},
};

/** One etcd member (etcd's default flags) on a free port of 127.0.0.1, in a temporary directory. */
export async function startEtcdBackend(): Promise<Backend> {
  const etcd = await startEtcd();
  return {
    name: 'etcd',
    storeUrl: etcd.url,
    storeClass: 'EtcdStore',
    async openRaw() {
      const store = await EtcdStore.open(etcd.url);
      return { store, prefix: `/bench-baseline/${randomUUID()}/`, close: () => store.close() };
    },
    stop: () => etcd.stop(),
  };
}
