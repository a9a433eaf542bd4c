// Opens the Store named by a URL: `sqlite:PATH` (relative to the working directory), `etcd://HOST:PORT[,...]`
// (see etcd/url.ts for its options), or nothing for the default SQLite file in the state directory.
import { join, resolve } from 'node:path';
import { EtcdStore } from './etcd.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export async function openStore(url: string | undefined, stateDir: string): Promise<Store> {
  if (!url) return SqliteStore.open(join(stateDir, 'canopy.db'));
  if (url.startsWith('sqlite:')) {
    // sqlite:///abs/path and sqlite://rel/path are accepted too.
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new Error(`store URL ${url} has no path; use sqlite:PATH`);
    return SqliteStore.open(path === ':memory:' ? path : resolve(path));
  }
  if (url.startsWith('etcd://')) return EtcdStore.open(url);
  throw new Error(`unsupported store URL ${JSON.stringify(url)}; use sqlite:PATH or etcd://HOST:PORT`);
}
