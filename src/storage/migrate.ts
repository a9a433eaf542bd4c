// canopy migrate: copies the newest value of every live key of a stopped SQLite store into etcd. Revisions are
// not copied (etcd numbers its own), so objects get new resourceVersions.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lockStateDir } from '../controlplane/lock.ts';
import { EtcdStore } from './etcd.ts';
import { redact } from './etcd/url.ts';
import { openStore } from './open.ts';
import { KeyExistsError, type Store } from './store.ts';

/** The prefix of every key Canopy writes; a target holding keys there is in use. */
const REGISTRY_PREFIX = '/registry/';
const PAGE = 500;
const IN_FLIGHT = 32;

export interface MigrateOptions {
  /** sqlite:PATH */
  from: string;
  /** etcd://... */
  to: string;
  /** Copy even into a target that holds keys under /registry/ (overwriting the keys the source has too). */
  force?: boolean;
}

export interface MigrateResult {
  /** Keys copied, by resource (`group/plural`, or the key itself when it is not an object's). */
  byResource: Map<string, number>;
  copied: number;
  /** Of those, keys the target held already and that were overwritten (with --force). */
  overwritten: number;
}

function sqlitePath(url: string): string {
  if (!url.startsWith('sqlite:')) throw new Error(`--from must be sqlite:PATH (the store of a stopped canopy), not ${JSON.stringify(url)}`);
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (!path || path === ':memory:') throw new Error(`--from ${url}: give the path of a SQLite file, e.g. sqlite:.canopy/canopy.db`);
  if (!existsSync(path)) throw new Error(`--from ${url}: no such file ${path}`);
  return path;
}

/** /registry/GROUP/PLURAL/... → GROUP/PLURAL */
function resourceOf(key: string): string {
  const parts = key.split('/');
  return parts.length > 4 && parts[1] === 'registry' ? `${parts[2]}/${parts[3]}` : key;
}

/** Holds the source's state-directory lock while running, so no canopy starts on it meanwhile. */
function lockSource(path: string): () => void {
  const lock = join(dirname(path), 'canopy.lock');
  try {
    return lockStateDir(lock);
  } catch (error) {
    const owner = /process (\d+)/.exec((error as Error).message)?.[1];
    if (!owner) throw error;
    throw new Error(`${path} is in use by canopy process ${owner} (lock file ${lock}); stop it, then migrate`);
  }
}

async function put(target: Store, key: string, value: string): Promise<'created' | 'overwritten'> {
  try {
    await target.create(key, value);
    return 'created';
  } catch (error) {
    if (!(error instanceof KeyExistsError)) throw error;
  }
  const existing = await target.get(key);
  if (!existing) return put(target, key, value);
  await target.update(key, value, existing.modRevision);
  return 'overwritten';
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const path = sqlitePath(options.from);
  if (!options.to.startsWith('etcd://')) throw new Error(`--to must be an etcd URL (etcd://HOST:PORT[,HOST:PORT...]), not ${JSON.stringify(redact(options.to))}`);
  const unlock = lockSource(path);
  let source: Store | undefined;
  let target: Store | undefined;
  try {
    source = await openStore(`sqlite:${path}`, dirname(path));
    target = await EtcdStore.open(options.to);
    const existing = await target.count(REGISTRY_PREFIX);
    if (existing > 0 && !options.force) {
      throw new Error(`${redact(options.to)} already holds ${existing} keys under ${REGISTRY_PREFIX}; `
        + 'migrate into an etcd Canopy has not used, or pass --force to copy anyway (overwriting the keys both hold)');
    }
    const result: MigrateResult = { byResource: new Map(), copied: 0, overwritten: 0 };
    // Every page is read at the revision of the first one: one consistent snapshot.
    let revision = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = await source.list('', { limit: PAGE, startAfter, revision });
      revision = page.revision;
      for (let i = 0; i < page.kvs.length; i += IN_FLIGHT) {
        const outcomes = await Promise.all(page.kvs.slice(i, i + IN_FLIGHT).map((kv) => put(target!, kv.key, kv.value)));
        result.overwritten += outcomes.filter((o) => o === 'overwritten').length;
      }
      for (const kv of page.kvs) {
        const resource = resourceOf(kv.key);
        result.byResource.set(resource, (result.byResource.get(resource) ?? 0) + 1);
      }
      result.copied += page.kvs.length;
      if (!page.more || page.kvs.length === 0) return result;
      startAfter = page.kvs[page.kvs.length - 1]!.key;
    }
  } finally {
    await target?.close();
    await source?.close();
    unlock();
  }
}
