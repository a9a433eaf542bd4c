// The REST operations the apiserver serves for each resource, in a neutral form that
// documents.ts renders as OpenAPI v3 and Swagger 2.0, mirroring the shape of the paths
// the apiserver's installer publishes (operation ids, actions, parameters, responses).
import type { GroupVersionKind, ResourceInfo } from '../types.ts';

export interface Param {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  tag: string;
  /** x-kubernetes-action */
  action: string;
  gvk?: GroupVersionKind;
  params: Param[];
  body?: { definition: string; required: boolean; contentTypes: string[] };
  responses: Array<{ code: string; description: string; definition?: string }>;
  produces: string[];
}

export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const STATUS = META + 'Status';
export const DELETE_OPTIONS = META + 'DeleteOptions';
export const WATCH_EVENT = META + 'WatchEvent';
export const PATCH = META + 'Patch';
export const API_RESOURCE_LIST = META + 'APIResourceList';
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_TYPES = [...OBJECT_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const WATCH_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const CR_PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

// ---------------------------------------------------------------- parameters

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const RV_DOC = 'See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions.';
const P = {
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, the request is processed but nothing is persisted. Valid values: All (every dry-run stage is processed). An unrecognized value is an error.'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor or entity making the change: at most 128 printable characters.'),
  fieldManagerApply: q('fieldManager', 'string', 'Name of the actor or entity making the change: at most 128 printable characters. Required for apply patches (application/apply-patch+yaml), optional for the other patch types.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request object (POST/PUT/PATCH). Ignore: drop them silently. Warn (the default): drop them and return a warning header for each. Strict: fail the request with a BadRequest error listing all of them.'),
  force: q('force', 'boolean', 'For apply patches: take over fields whose ownership conflicts with other managers. Must be unset for the other patch types.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds to wait before the object is deleted (non-negative). Zero deletes immediately; unset uses the default of the type.'),
  orphanDependents: q('orphanDependents', 'boolean', "Deprecated: use propagationPolicy. Whether dependents are orphaned (adds or removes the 'orphan' finalizer). Cannot be combined with propagationPolicy."),
  propagationPolicy: q('propagationPolicy', 'string', "Garbage collection of dependents: 'Orphan', 'Background' or 'Foreground'. Cannot be combined with orphanDependents."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events. Servers may ignore it; it is ignored unless watching.'),
  continue: q('continue', 'string', 'Token from the metadata of a previous list response, to fetch the next page; only valid with otherwise identical query parameters.'),
  fieldSelector: q('fieldSelector', 'string', 'Restricts the returned objects by field values. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'Restricts the returned objects by labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'Maximum number of items to return; when more exist, the list metadata carries a continue token.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource version the request may be served from. ' + RV_DOC),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list call (Exact or NotOlderThan). ' + RV_DOC),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true: begin the stream with synthetic events for the current state, followed by a bookmark.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Time limit for the list or watch call.'),
  watch: q('watch', 'boolean', 'Watch for changes and return them as a stream of add, update and remove notifications.'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit,
  P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManagerApply, P.fieldValidation, P.force];

function pathParam(name: string, description: string): Param {
  return { name, in: 'path', type: 'string', required: true, description };
}
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

// ---------------------------------------------------------------- naming

/** Group as it appears in operation ids: 'rbac.authorization.k8s.io' → 'RbacAuthorization', '' → 'Core'. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed.split(/[.-]/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** The tag of a group version, e.g. 'apps_v1', 'core_v1', 'rbacAuthorization_v1'. */
export function tagFor(group: string, version: string): string {
  const word = groupWord(group);
  return word[0].toLowerCase() + word.slice(1) + '_' + version;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

/** The URL prefix of a group version, without a trailing slash. */
export function gvPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

// ---------------------------------------------------------------- paths of one resource

export interface ResourceSchemas {
  /** Definition of the kind and of its list. */
  definition: string;
  listDefinition: string;
  customResource: boolean;
}

export function resourcePaths(r: ResourceInfo, names: ResourceSchemas): PathItem[] {
  const gv = gvPrefix(r.group, r.version);
  const ns = r.namespaced ? 'Namespaced' : '';
  const id = (verb: string, suffix = '') => `${verb}${groupWord(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}${suffix}`;
  const tag = tagFor(r.group, r.version);
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const can = (verb: string) => r.verbs.includes(verb);
  const patchTypes = names.customResource ? CR_PATCH_TYPES : PATCH_TYPES;
  const op = (o: Omit<Operation, 'tag' | 'produces' | 'gvk'> & { produces?: string[]; gvk?: GroupVersionKind }): Operation =>
    ({ tag, produces: OBJECT_TYPES, gvk, ...o });
  const ok = (definition: string, ...more: Array<[string, string]>) =>
    [{ code: '200', description: 'OK', definition }, ...more.map(([code, description]) => ({ code, description, definition })), { code: '401', description: 'Unauthorized' }];

  const collection = r.namespaced ? `${gv}/namespaces/{namespace}/${r.plural}` : `${gv}/${r.plural}`;
  const item = `${collection}/{name}`;
  const nsParams = r.namespaced ? [NAMESPACE] : [];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const items: PathItem[] = [];

  const collectionOps: Operation[] = [];
  if (can('list')) collectionOps.push(op({
    method: 'get', operationId: id('list', `${ns}${r.kind}`), description: `list or watch objects of kind ${r.kind}`,
    action: 'list', params: LIST_PARAMS, responses: ok(names.listDefinition), produces: LIST_TYPES,
  }));
  if (can('create')) collectionOps.push(op({
    method: 'post', operationId: id('create', `${ns}${r.kind}`), description: `create ${article(r.kind)} ${r.kind}`,
    action: 'post', params: WRITE_PARAMS, body: { definition: names.definition, required: true, contentTypes: [] },
    responses: ok(names.definition, ['201', 'Created'], ['202', 'Accepted']),
  }));
  if (can('deletecollection')) collectionOps.push(op({
    method: 'delete', operationId: id('delete', `Collection${ns}${r.kind}`), description: `delete collection of ${r.kind}`,
    action: 'deletecollection', params: DELETECOLLECTION_PARAMS, body: { definition: DELETE_OPTIONS, required: false, contentTypes: [] },
    responses: ok(STATUS),
  }));
  if (collectionOps.length) items.push({ path: collection, params: [...nsParams, P.pretty], operations: collectionOps });

  const itemOps: Operation[] = [];
  if (can('get')) itemOps.push(op({
    method: 'get', operationId: id('read', `${ns}${r.kind}`), description: `read the specified ${r.kind}`,
    action: 'get', params: [], responses: ok(names.definition),
  }));
  if (can('update')) itemOps.push(op({
    method: 'put', operationId: id('replace', `${ns}${r.kind}`), description: `replace the specified ${r.kind}`,
    action: 'put', params: WRITE_PARAMS, body: { definition: names.definition, required: true, contentTypes: [] },
    responses: ok(names.definition, ['201', 'Created']),
  }));
  if (can('delete')) itemOps.push(op({
    method: 'delete', operationId: id('delete', `${ns}${r.kind}`), description: `delete ${article(r.kind)} ${r.kind}`,
    action: 'delete', params: DELETE_PARAMS, body: { definition: DELETE_OPTIONS, required: false, contentTypes: [] },
    responses: ok(STATUS, ['202', 'Accepted']),
  }));
  if (can('patch')) itemOps.push(op({
    method: 'patch', operationId: id('patch', `${ns}${r.kind}`), description: `partially update the specified ${r.kind}`,
    action: 'patch', params: PATCH_PARAMS, body: { definition: PATCH, required: true, contentTypes: patchTypes },
    responses: ok(names.definition, ['201', 'Created']),
  }));
  if (itemOps.length) items.push({ path: item, params: [nameParam, ...nsParams, P.pretty], operations: itemOps });

  for (const sub of r.subresources) {
    if (sub === 'finalize') {
      items.push({ path: `${item}/finalize`, params: [nameParam, ...nsParams, P.pretty], operations: [op({
        method: 'put', operationId: id('replace', `${ns}${r.kind}Finalize`), description: `replace finalize of the specified ${r.kind}`,
        action: 'put', params: WRITE_PARAMS, body: { definition: names.definition, required: true, contentTypes: [] },
        responses: ok(names.definition, ['201', 'Created']) })] });
    }
    if (sub !== 'status' && sub !== 'scale' && sub !== 'approval') continue;
    const definition = sub === 'scale' ? SCALE : names.definition;
    const subGvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    const Sub = sub[0].toUpperCase() + sub.slice(1);
    const subOps: Operation[] = [
      op({ method: 'get', operationId: id('read', `${ns}${r.kind}${Sub}`), description: `read ${sub} of the specified ${r.kind}`,
        action: 'get', gvk: subGvk, params: [], responses: ok(definition) }),
      op({ method: 'put', operationId: id('replace', `${ns}${r.kind}${Sub}`), description: `replace ${sub} of the specified ${r.kind}`,
        action: 'put', gvk: subGvk, params: WRITE_PARAMS, body: { definition, required: true, contentTypes: [] },
        responses: ok(definition, ['201', 'Created']) }),
      op({ method: 'patch', operationId: id('patch', `${ns}${r.kind}${Sub}`), description: `partially update ${sub} of the specified ${r.kind}`,
        action: 'patch', gvk: subGvk, params: PATCH_PARAMS, body: { definition: PATCH, required: true, contentTypes: patchTypes },
        responses: ok(definition, ['201', 'Created']) }),
    ];
    items.push({ path: `${item}/${sub}`, params: [nameParam, ...nsParams, P.pretty], operations: subOps });
  }

  if (can('watch')) {
    const watchPath = r.namespaced ? `${gv}/watch/namespaces/{namespace}/${r.plural}` : `${gv}/watch/${r.plural}`;
    const watchParams = [...LIST_PARAMS, P.pretty];
    items.push({
      path: watchPath, params: [...nsParams, ...watchParams].sort(byName),
      operations: [op({ method: 'get', operationId: id('watch', `${ns}${r.kind}List`), action: 'watchlist', params: [],
        description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        responses: ok(WATCH_EVENT), produces: WATCH_TYPES })],
    });
    items.push({
      path: `${watchPath}/{name}`, params: [nameParam, ...nsParams, ...watchParams].sort(byName),
      operations: [op({ method: 'get', operationId: id('watch', `${ns}${r.kind}`), action: 'watch', params: [],
        description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        responses: ok(WATCH_EVENT), produces: WATCH_TYPES })],
    });
  }
  if (r.namespaced && can('list')) {
    items.push({
      path: `${gv}/${r.plural}`, params: [...LIST_PARAMS, P.pretty].sort(byName),
      operations: [op({ method: 'get', operationId: id('list', `${r.kind}ForAllNamespaces`), action: 'list', params: [],
        description: `list or watch objects of kind ${r.kind}`, responses: ok(names.listDefinition), produces: LIST_TYPES })],
    });
    if (can('watch')) items.push({
      path: `${gv}/watch/${r.plural}`, params: [...LIST_PARAMS, P.pretty].sort(byName),
      operations: [op({ method: 'get', operationId: id('watch', `${r.kind}ListForAllNamespaces`), action: 'watchlist', params: [],
        description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        responses: ok(WATCH_EVENT), produces: WATCH_TYPES })],
    });
  }
  return items;
}

function byName(a: Param, b: Param): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** GET /apis/<group>/<version>/: the group version's resource list. */
export function discoveryPath(group: string, version: string): PathItem {
  return {
    path: gvPrefix(group, version) + '/',
    params: [],
    operations: [{
      method: 'get', operationId: `get${groupWord(group)}${version[0].toUpperCase()}${version.slice(1)}APIResources`,
      description: 'get available resources', tag: tagFor(group, version), action: '',
      params: [], produces: OBJECT_TYPES,
      responses: [{ code: '200', description: 'OK', definition: API_RESOURCE_LIST }, { code: '401', description: 'Unauthorized' }],
    }],
  };
}

/** Content types a request body of this operation may use. */
export function consumes(o: Operation): string[] {
  return o.body?.contentTypes.length ? o.body.contentTypes : OBJECT_TYPES;
}
