// Watch streams: newline-delimited JSON events over a chunked response, as the apiserver serves them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSelectors } from '../registry/filters.ts';
import { parseResourceVersion, type KObject, type ObjectEvent, type ObjectService } from '../registry/objects.ts';
import { groupVersion } from '../registry/registry.ts';
import { toTable } from '../registry/tables.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { asApiError, badRequest, toStatus } from './errors.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Representation } from './negotiate.ts';
import { escapeFieldValue } from './selectors.ts';

const BOOKMARK_INTERVAL_MS = 60_000;
const MIN_TIMEOUT_S = 1800;

// An event's object is shared by every watch of its resource (ObjectService.decodeEvent), so its JSON is too.
const eventJson = new WeakMap<KObject, string>();

export function serveWatch(objects: ObjectService, metrics: ApiMetrics, resource: ResourceInfo, namespace: string | undefined,
  req: IncomingMessage, res: ServerResponse, query: URLSearchParams, representation: Representation, name?: string): void {
  // The legacy /watch/<plural>/<name> form watches one object.
  const fieldSelector = [query.get('fieldSelector'), name !== undefined ? `metadata.name=${escapeFieldValue(name)}` : '']
    .filter(Boolean).join(',');
  const selectors = parseSelectors(resource, query.get('labelSelector') ?? undefined, fieldSelector || undefined);
  const rv = query.get('resourceVersion') ?? '';
  if (rv) parseResourceVersion(rv); // a bad one is refused before the stream starts
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  if (sendInitialEvents && query.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutParam = Number(query.get('timeoutSeconds') ?? '');
  const timeoutSeconds = Number.isFinite(timeoutParam) && timeoutParam > 0
    ? timeoutParam : MIN_TIMEOUT_S * (1 + Math.random());

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const labels = { group: resource.group, resource: resource.plural };
  metrics.watchers.inc(labels);
  let lastRevision = 0;
  let finished = false;
  const write = (type: string, object: unknown) => {
    if (!finished) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const writeObject = (type: string, obj: KObject) => {
    if (finished) return;
    if (representation === 'table') {
      write(type, toTable(resource, [obj], { includeObject: 'Metadata', listMeta: { resourceVersion: obj.metadata.resourceVersion } }));
      return;
    }
    let json = eventJson.get(obj);
    if (json === undefined) eventJson.set(obj, json = JSON.stringify(obj));
    res.write(`{"type":"${type}","object":${json}}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) => {
    if (!bookmarks || lastRevision === 0) return;
    write('BOOKMARK', {
      kind: resource.kind, apiVersion: groupVersion(resource),
      metadata: { resourceVersion: String(lastRevision), ...(annotations ? { annotations } : {}) },
    });
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(bookmarkTimer);
    clearTimeout(timeoutTimer);
    watcher.close();
    metrics.watchers.dec(labels);
    res.end();
  };
  const onEvent = (event: ObjectEvent) => {
    lastRevision = Math.max(lastRevision, Number(event.object.metadata.resourceVersion));
    writeObject(event.type, event.object);
  };
  const onError = (error: Error) => {
    write('ERROR', toStatus(asApiError(error)));
    finish();
  };
  const initialState = rv === '' || rv === '0' || sendInitialEvents;
  const watcher = objects.watch(resource, namespace, {
    ...selectors,
    resourceVersion: rv || undefined,
    sendInitialState: initialState,
    onInitialStateSent: (revision: number) => {
      lastRevision = Math.max(lastRevision, revision);
      if (sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    },
    onProgress: (revision: number) => { lastRevision = Math.max(lastRevision, revision); },
  }, onEvent, onError);
  const bookmarkTimer = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
  const timeoutTimer = setTimeout(finish, timeoutSeconds * 1000);
  req.on('close', finish);
  res.on('error', finish);
}

