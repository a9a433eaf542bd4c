// A Store on SQLite, modelled on kine (k3s): one append-only log table whose row id is the revision.
// The current value of a key is its newest row; a delete appends a tombstone row carrying the deleted value.
// Writes issued in the same tick are committed together in one transaction (group commit).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StoreError,
  StoreUnavailableError,
  type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent, type Watcher, type WatchHandlers,
} from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id_deleted ON kv (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

const REPLAY_PAGE = 500;
const COMPACT_CHUNK = 5000;

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

interface HistoryRow extends Row {
  prev_value: string | null;
  prev_create_revision: number | null;
}

type WriteResult<T> = { result: T; event: WatchEvent };

interface PendingWrite {
  apply(): WriteResult<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The smallest string greater than every string starting with prefix (in UTF-8 byte order), or undefined. */
export function prefixEnd(prefix: string): string | undefined {
  const chars = Array.from(prefix);
  while (chars.length > 0) {
    let code = chars.pop()!.codePointAt(0)! + 1;
    if (code === 0xd800) code = 0xe000;
    if (code <= 0x10ffff) return chars.join('') + String.fromCodePoint(code);
  }
  return undefined;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function rowToKv(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

function rowToEvent(row: HistoryRow): WatchEvent {
  if (row.deleted) {
    const kv = { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.prev_revision };
    return { type: 'delete', kv, revision: row.id };
  }
  const event: WatchEvent = { type: 'put', kv: rowToKv(row), revision: row.id };
  if (!row.created && row.prev_value !== null) {
    event.prevKv = {
      key: row.name, value: row.prev_value, createRevision: row.prev_create_revision!, modRevision: row.prev_revision,
    };
  }
  return event;
}

class SqliteWatch implements Watcher {
  private replaying = true;
  private buffered: WatchEvent[] = [];
  private ended = false;

  constructor(
    private readonly store: SqliteStore,
    readonly prefix: string,
    /** Replay covers revisions in (cursor, replayEnd]; live events start after replayEnd. */
    private cursor: number,
    private readonly replayEnd: number,
    private readonly handlers: WatchHandlers,
  ) {}

  close(): void {
    this.ended = true;
    this.store.removeWatch(this);
  }

  /** Called by the store (asynchronously) with each committed event under this watch's prefix. */
  offer(event: WatchEvent): void {
    if (this.ended || event.revision <= this.replayEnd) return;
    if (this.replaying) this.buffered.push(event);
    else this.deliver(event);
  }

  replayPage(): void {
    // A closed store ends the watch itself.
    if (this.ended || this.store.isClosed) return;
    const compacted = this.store.compactedRevisionSync();
    if (this.cursor < compacted) return this.fail(new CompactedError(this.cursor, compacted));
    let events: WatchEvent[];
    try {
      events = this.store.history(this.prefix, this.cursor, this.replayEnd, REPLAY_PAGE);
    } catch (error) {
      return this.fail(new StoreUnavailableError(`watch replay failed: ${(error as Error).message}`));
    }
    for (const event of events) {
      this.cursor = event.revision;
      this.deliver(event);
      if (this.ended) return;
    }
    if (events.length === REPLAY_PAGE) {
      setImmediate(() => this.replayPage());
      return;
    }
    this.replaying = false;
    const buffered = this.buffered;
    this.buffered = [];
    for (const event of buffered) {
      this.deliver(event);
      if (this.ended) return;
    }
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.close();
    this.handlers.onError(error);
  }

  private deliver(event: WatchEvent): void {
    try {
      this.handlers.onEvent(event);
    } catch (error) {
      this.fail(error as Error);
    }
  }
}

export class SqliteStore implements Store {
  private rev: number;
  private compacted: number;
  /** Compaction has deleted superseded rows up to here; below compacted after an interrupted compaction. */
  private compactedUpTo: number;
  private closed = false;
  private pendingWrites: PendingWrite[] = [];
  private pendingEvents: WatchEvent[] = [];
  private dispatchScheduled = false;
  private readonly watches = new Set<SqliteWatch>();
  private compaction: Promise<void> = Promise.resolve();
  private readonly listStatements = new Map<string, Database.Statement>();
  private readonly historyStatements = new Map<string, Database.Statement>();
  private readonly stmt;

  static open(path: string): SqliteStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new SqliteStore(new Database(path));
  }

  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.stmt = {
      latest: db.prepare<[string], Row>('SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare(
        'INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      // Rows superseded by a row in (low, high], and tombstones in (low, high].
      compactChunk: db.prepare(`DELETE FROM kv WHERE id IN (
        SELECT prev_revision FROM kv WHERE id > @low AND id <= @high AND prev_revision != 0
        UNION ALL SELECT id FROM kv WHERE id > @low AND id <= @high AND deleted = 1)`),
    };
    this.compacted = this.stmt.getMeta.get('compact_revision')?.value ?? 0;
    this.compactedUpTo = this.stmt.getMeta.get('compact_progress')?.value ?? 0;
    // The autoincrement sequence remembers the newest revision even when compaction deleted its row.
    const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kv'").get()?.seq ?? 0;
    const maxId = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM kv').get()?.id ?? 0;
    this.rev = Math.max(sequence, maxId, this.compacted);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.stmt.latest.get(key);
    return row && !row.deleted ? rowToKv(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision || this.rev;
    this.checkReadable(revision);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const startAfter = options.startAfter !== undefined && compareBytes(options.startAfter, prefix) >= 0
      ? options.startAfter : undefined;
    const end = prefixEnd(prefix);
    const sql = `SELECT name, MAX(id) AS id, deleted, create_revision, value FROM kv
      WHERE name ${startAfter === undefined ? '>=' : '>'} ? ${end === undefined ? '' : 'AND name < ?'} AND id <= ?
      GROUP BY name HAVING deleted = 0 ORDER BY name LIMIT ?`;
    const params = [startAfter ?? prefix, ...(end === undefined ? [] : [end]), revision, limit ? limit + 1 : -1];
    const rows = this.cachedStatement(this.listStatements, sql).all(...params) as Row[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows.map(rowToKv), more, revision };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const end = prefixEnd(prefix);
    const sql = `SELECT COUNT(*) AS count FROM (
      SELECT MAX(id), deleted FROM kv WHERE name >= ? ${end === undefined ? '' : 'AND name < ?'} GROUP BY name
    ) WHERE deleted = 0`;
    const row = this.cachedStatement(this.listStatements, sql).get(prefix, ...(end === undefined ? [] : [end]));
    return (row as { count: number }).count;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write(() => {
      const latest = this.stmt.latest.get(key);
      if (latest && !latest.deleted) throw new KeyExistsError(key);
      const revision = this.rev + 1;
      this.append(key, true, false, revision, latest?.id ?? 0, value);
      const kv = { key, value, createRevision: revision, modRevision: revision };
      return { result: kv, event: { type: 'put', kv, revision } };
    });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write(() => {
      const latest = this.liveRow(key, expectedModRevision);
      const revision = this.append(key, false, false, latest.create_revision, latest.id, value);
      const kv = { key, value, createRevision: latest.create_revision, modRevision: revision };
      return { result: kv, event: { type: 'put', kv, revision, prevKv: rowToKv(latest) } };
    });
  }

  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    return this.write(() => {
      const latest = this.liveRow(key, expectedModRevision);
      const revision = this.append(key, false, true, latest.create_revision, latest.id, latest.value);
      const kv = rowToKv(latest);
      return { result: { kv, revision }, event: { type: 'delete', kv, revision } };
    });
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher {
    const watch = new SqliteWatch(this, prefix, afterRevision, Math.max(afterRevision, this.rev), handlers);
    if (this.closed) {
      setImmediate(() => watch.fail(new StoreUnavailableError('store is closed')));
    } else if (afterRevision < this.compacted) {
      const compacted = this.compacted;
      setImmediate(() => watch.fail(new CompactedError(afterRevision, compacted)));
    } else {
      this.watches.add(watch);
      setImmediate(() => watch.replayPage());
    }
    return watch;
  }

  compact(revision: number): Promise<void> {
    const run = async () => {
      this.checkOpen();
      if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
      if (revision > this.compacted) {
        // Record the compacted revision first: reads at older revisions must fail from now on.
        this.stmt.setMeta.run('compact_revision', revision);
        this.compacted = revision;
      }
      const target = this.compacted;
      while (this.compactedUpTo < target && !this.closed) {
        const low = this.compactedUpTo;
        const high = Math.min(low + COMPACT_CHUNK, target);
        this.db.transaction(() => {
          this.stmt.compactChunk.run({ low, high });
          this.stmt.setMeta.run('compact_progress', high);
        })();
        this.compactedUpTo = high;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const result = this.compaction.then(run);
    this.compaction = result.catch(() => {});
    return result;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitPendingWrites();
    this.closed = true;
    await this.compaction;
    this.db.close();
    setImmediate(() => {
      this.dispatchEvents();
      const error = new StoreUnavailableError('store is closed');
      for (const watch of [...this.watches]) watch.fail(error);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** For watches: the compacted revision, read synchronously. */
  compactedRevisionSync(): number {
    return this.compacted;
  }

  removeWatch(watch: SqliteWatch): void {
    this.watches.delete(watch);
  }

  /** Events under prefix with revisions in (after, upTo], oldest first, at most limit of them. */
  history(prefix: string, after: number, upTo: number, limit: number): WatchEvent[] {
    const end = prefixEnd(prefix);
    const sql = `SELECT kv.*, prev.value AS prev_value, prev.create_revision AS prev_create_revision
      FROM kv LEFT JOIN kv AS prev ON prev.id = kv.prev_revision
      WHERE kv.id > ? AND kv.id <= ? AND kv.name >= ? ${end === undefined ? '' : 'AND kv.name < ?'}
      ORDER BY kv.id LIMIT ?`;
    const params = [after, upTo, prefix, ...(end === undefined ? [] : [end]), limit];
    const rows = this.cachedStatement(this.historyStatements, sql).all(...params) as HistoryRow[];
    return rows.map(rowToEvent);
  }

  private cachedStatement(cache: Map<string, Database.Statement>, sql: string): Database.Statement {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, statement = this.db.prepare(sql));
    return statement;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreUnavailableError('store is closed');
  }

  private checkReadable(revision: number): void {
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
  }

  /** The key's newest row, which must be live and (when expected is given) at that modRevision. */
  private liveRow(key: string, expectedModRevision: number | undefined): Row {
    const latest = this.stmt.latest.get(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && latest.id !== expectedModRevision) throw new ConflictError(key, latest.id);
    return latest;
  }

  /** Appends a row at the next revision and returns that revision. */
  private append(
    key: string, created: boolean, deleted: boolean, createRevision: number, prevRevision: number, value: string,
  ): number {
    const revision = this.rev + 1;
    this.stmt.insert.run(revision, key, created ? 1 : 0, deleted ? 1 : 0, createRevision, prevRevision, value);
    this.rev = revision;
    return revision;
  }

  private write<T>(apply: () => WriteResult<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    return new Promise<T>((resolve, reject) => {
      if (this.pendingWrites.length === 0) setImmediate(() => this.commitPendingWrites());
      this.pendingWrites.push({ apply, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Applies every queued write in one transaction; each caller gets its own result or error. */
  private commitPendingWrites(): void {
    const batch = this.pendingWrites;
    if (batch.length === 0) return;
    this.pendingWrites = [];
    const revisionBefore = this.rev;
    const outcomes: (WriteResult<unknown> | StoreError)[] = [];
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            outcomes.push(write.apply());
          } catch (error) {
            if (!(error instanceof StoreError)) throw error;
            outcomes.push(error);
          }
        }
      }).immediate();
    } catch (error) {
      this.rev = revisionBefore;
      const failure = new StoreUnavailableError(`write failed: ${(error as Error).message}`);
      for (const write of batch) write.reject(failure);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof StoreError) {
        write.reject(outcome);
      } else {
        this.pendingEvents.push(outcome.event);
        write.resolve(outcome.result);
      }
    });
    if (!this.dispatchScheduled && this.pendingEvents.length > 0) {
      this.dispatchScheduled = true;
      setImmediate(() => this.dispatchEvents());
    }
  }

  private dispatchEvents(): void {
    this.dispatchScheduled = false;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    if (events.length === 0 || this.watches.size === 0) return;
    for (const watch of [...this.watches]) {
      for (const event of events) {
        if (event.kv.key.startsWith(watch.prefix)) watch.offer(event);
      }
    }
  }
}
