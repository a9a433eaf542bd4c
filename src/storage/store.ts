// The storage contract: a revisioned key-value store with etcd's semantics.
// Every write gets the next global revision; each key remembers the revision that created it and the
// revision that last modified it. Keys are '/'-separated strings; values are opaque strings (JSON text).

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface ListOptions {
  /** Return at most this many keys; `more` tells whether others follow. */
  limit?: number;
  /** Start strictly after this key (the continue token of a paged list). */
  startAfter?: string;
  /** Read the state as of this revision (0 or absent: the newest). */
  revision?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** True when keys beyond the returned page exist. */
  more: boolean;
  /** The revision the list was read at. */
  revision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For a put: the new value. For a delete: the value just before the delete. */
  kv: KeyValue;
  /** The revision of the event: the new modRevision for a put, the delete's revision for a delete. */
  revision: number;
  /** For a put that modified an existing key: the value it replaced. */
  prevKv?: KeyValue;
}

export interface Watcher {
  close(): void;
}

export interface WatchHandlers {
  /** Called in revision order, once per event. */
  onEvent(event: WatchEvent): void;
  /** Called at most once; the watch is over after it (e.g. CompactedError, or the store closed). */
  onError(error: Error): void;
}

export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Number of keys under prefix at the newest revision. */
  count(prefix: string): Promise<number>;
  /** Fails with KeyExistsError when the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap: fails with ConflictError unless the key's modRevision equals expectedModRevision,
   *  with KeyNotFoundError when the key does not exist. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes the key (only if its modRevision matches, when given). Returns the deleted value and the
   *  revision of the delete. */
  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /** Streams every change under prefix with a revision greater than afterRevision: history first, then
   *  live. Fails with CompactedError (through onError) when afterRevision is older than the compacted one. */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher;
  /** Forgets history at and before revision (the newest value of each live key is always kept). */
  compact(revision: number): Promise<void>;
  /** The newest revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision a watch may still start after. */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class StoreError extends Error {}
export class KeyExistsError extends StoreError {
  constructor(readonly key: string) { super(`key exists: ${key}`); }
}
export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) { super(`key not found: ${key}`); }
}
export class ConflictError extends StoreError {
  constructor(readonly key: string, readonly actualModRevision: number) {
    super(`key ${key} was modified (now at revision ${actualModRevision})`);
  }
}
export class CompactedError extends StoreError {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}
export class FutureRevisionError extends StoreError {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current ${current})`);
  }
}
/** The backend cannot be reached or failed; the request may be retried. */
export class StoreUnavailableError extends StoreError {}
