// The resource endpoints: every verb on /api/v1/... and /apis/<group>/<version>/...
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSelectors } from '../registry/filters.ts';
import type { UserInfo } from './authz/user.ts';
import type { DeleteOptions, KObject, ObjectService, WriteContext } from '../registry/objects.ts';
import { applyJsonPatch, decodeJsonPatch, PatchError } from '../registry/patch/jsonpatch.ts';
import { applyMergePatch, MergePatchError } from '../registry/patch/mergepatch.ts';
import { applyStrategicMergePatch, StrategicMergePatchError } from '../registry/patch/strategic.ts';
import { patchSchemaFor } from '../registry/openapi/patch-schema.ts';
import { groupVersion } from '../registry/registry.ts';
import { toTable, type IncludeObject } from '../registry/tables.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { decodeObject, mediaType, parseJson, readBody } from './body.ts';
import { ApiError, badRequest, invalid, methodNotAllowed, notAcceptable, notFoundPath, unsupportedMediaType, type FieldError } from './errors.ts';
import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong } from '../registry/validation.ts';
import { APPLY_PATCH, serverSideApply } from './apply.ts';
import { checkTyped, decodeTyped } from './typed.ts';
import { negotiate, type Representation } from './negotiate.ts';
import type { ResourceRequest } from './request-info.ts';
import { addWarnings, sendJson, sendYaml } from './respond.ts';
import { serveWatch } from './watch.ts';
import type { ApiMetrics } from './metrics.ts';
import { getScale, updateScale } from './scale.ts';

export interface ResourceContext {
  objects: ObjectService;
  metrics: ApiMetrics;
  user: UserInfo;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', APPLY_PATCH];
const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', APPLY_PATCH];
const OPTIONS_KIND: Record<string, string> = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' };
const FIELD_MANAGER_MAX_LENGTH = 128;
const FIELD_VALIDATION = ['Ignore', 'Warn', 'Strict'];

export async function handleResource(ctx: ResourceContext, req: IncomingMessage, res: ServerResponse,
  request: ResourceRequest, query: URLSearchParams): Promise<void> {
  const resource = ctx.objects.registry.lookup(request.group, request.version, request.plural);
  if (!resource) throw notFoundPath();
  const sub = request.subresource;
  if (sub && !resource.subresources.includes(sub)) throw notFoundPath();
  if (resource.namespaced && request.namespace === undefined && request.name !== undefined) throw notFoundPath();
  if (!resource.namespaced && request.namespace !== undefined && request.plural !== 'namespaces') throw notFoundPath();
  const namespace = resource.namespaced ? request.namespace : undefined;
  const representation = negotiate(req);
  if (representation === 'unsupported') throw notAcceptable(['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io']);
  const write = writeContext(query, ctx.user, req, request.verb);

  if (sub === 'scale') {
    if (request.verb === 'get') return respond(res, 200, await getScale(ctx.objects, resource, namespace, request.name!), representation);
    if (request.verb === 'update' || request.verb === 'patch') {
      const body = await readBody(req);
      const scale = await updateScale(ctx.objects, resource, namespace, request.name!, body, mediaType(req), request.verb, write);
      return respond(res, 200, scale, representation);
    }
    throw methodNotAllowed();
  }
  if (sub === 'finalize' && request.verb !== 'update') throw methodNotAllowed();
  if (sub && !['get', 'update', 'patch'].includes(request.verb)) throw methodNotAllowed();

  switch (request.verb) {
    case 'get': {
      const obj = await ctx.objects.get(resource, namespace, request.name!);
      return respondObjects(res, 200, resource, obj, representation, query);
    }
    case 'list': {
      const options = {
        ...parseSelectors(resource, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined),
        limit: parseLimit(query.get('limit')),
        continue: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
      };
      if (representation === 'json') {
        // Most lists (informers, client libraries) want JSON: written from the stored bytes, items not decoded.
        const list = await ctx.objects.listJson(resource, namespace, options);
        const meta = JSON.stringify({ resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) });
        return sendJson(res, 200, `{"kind":${JSON.stringify(resource.listKind)},"apiVersion":${JSON.stringify(groupVersion(resource))},`
          + `"metadata":${meta},"items":[${list.items.join(',')}]}`);
      }
      const list = await ctx.objects.list(resource, namespace, options);
      if (representation === 'table') {
        return sendJson(res, 200, toTable(resource, list.items, {
          includeObject: includeObject(query),
          listMeta: { resourceVersion: list.resourceVersion, continue: list.continue },
        }));
      }
      const body = {
        kind: resource.listKind, apiVersion: groupVersion(resource),
        metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
        items: list.items,
      };
      return respond(res, 200, body, representation);
    }
    case 'watch':
      return serveWatch(ctx.objects, ctx.metrics, resource, namespace, req, res, query, representation, request.name);
    case 'create': {
      // As upstream's custom resource handler, a custom resource may be created by a POST to its own path too
      // (`kubectl hns create` does); the name in the path is not looked at.
      if (request.name !== undefined && !resource.crdSchema) throw methodNotAllowed();
      const body = await readBody(req);
      const obj = decodeTyped(resource, body, mediaType(req), query, write);
      const created = await ctx.objects.create(resource, namespace, obj, write);
      addWarnings(res, write.warnings!);
      return respondObjects(res, 201, resource, created, representation, query);
    }
    case 'update': {
      if (request.name === undefined) throw methodNotAllowed();
      const body = await readBody(req);
      const obj = decodeTyped(resource, body, mediaType(req), query, write);
      const { object, created } = await ctx.objects.update(resource, namespace, request.name!, obj, write, sub);
      addWarnings(res, write.warnings!);
      return respondObjects(res, created ? 201 : 200, resource, object, representation, query);
    }
    case 'patch': {
      if (request.name === undefined) throw methodNotAllowed();
      const body = await readBody(req);
      const type = mediaType(req);
      if (type === APPLY_PATCH) {
        const { object, created } = await serverSideApply(ctx, resource, namespace, request.name, sub, body, query, write);
        addWarnings(res, write.warnings!);
        return respondObjects(res, created ? 201 : 200, resource, object, representation, query);
      }
      const accepted = resource.definition ? PATCH_TYPES : CUSTOM_PATCH_TYPES;
      if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted);
      const patch = parseJson(body);
      if (type === 'application/json-patch+json') {
        // A body that does not decode as a list of operations is a bad request; a failing operation is 422.
        try { decodeJsonPatch(patch); } catch (e) { throw e instanceof PatchError ? badRequest(e.message) : e; }
      }
      const patched = await ctx.objects.modify(resource, namespace, request.name!, (current) => {
        const result = applyPatch(resource, type, current, patch);
        return checkTyped(resource, result, query, write);
      }, write, sub);
      addWarnings(res, write.warnings!);
      return respondObjects(res, 200, resource, patched, representation, query);
    }
    case 'delete': {
      const options = await deleteOptions(req, query);
      const { object, deleted } = await ctx.objects.delete(resource, namespace, request.name!, options, write);
      if (!deleted || resource.plural === 'namespaces') return respondObjects(res, 200, resource, object, representation, query);
      return respond(res, 200, successStatus(resource, object), representation);
    }
    case 'deletecollection': {
      const options = await deleteOptions(req, query);
      const list = await ctx.objects.list(resource, namespace, {
        ...parseSelectors(resource, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined),
      });
      for (const item of list.items) {
        try {
          await ctx.objects.delete(resource, item.metadata.namespace, item.metadata.name, options, write);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      return respond(res, 200, {
        kind: resource.listKind, apiVersion: groupVersion(resource),
        metadata: { resourceVersion: list.resourceVersion }, items: list.items,
      }, representation);
    }
  }
}


function respond(res: ServerResponse, code: number, body: unknown, representation: Representation): void {
  if (representation === 'yaml') sendYaml(res, code, body);
  else sendJson(res, code, body);
}

function respondObjects(res: ServerResponse, code: number, resource: ResourceInfo, obj: KObject,
  representation: Representation, query: URLSearchParams): void {
  if (representation === 'table') {
    sendJson(res, code, toTable(resource, [obj], {
      includeObject: includeObject(query), listMeta: { resourceVersion: obj.metadata?.resourceVersion },
    }));
    return;
  }
  respond(res, code, obj, representation);
}

function includeObject(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "None", "Metadata", "Object"`);
}

function parseLimit(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`limit: Invalid value: "${text}": must be a non-negative integer`);
  return Number(text);
}

function writeContext(query: URLSearchParams, user: UserInfo, req: IncomingMessage, verb: string): WriteContext {
  const dryRun = query.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(value)}; supported values: "All"`);
  }
  const fieldValidation = query.get('fieldValidation');
  if (fieldValidation && !FIELD_VALIDATION.includes(fieldValidation)) {
    throw badRequest(`fieldValidation parameter unsupported: ${fieldValidation}; valid values are: Ignore, Warn, Strict`);
  }
  return { dryRun: dryRun.length > 0, warnings: [], user, fieldManager: fieldManagerOf(query, req, verb) };
}

/** The manager a write is recorded under: the fieldManager parameter, else the client's User-Agent up to its first '/'. */
function fieldManagerOf(query: URLSearchParams, req: IncomingMessage, verb: string): string | undefined {
  const optionsKind = OPTIONS_KIND[verb];
  if (!optionsKind) return undefined;
  const errors: FieldError[] = [];
  const forced = query.get('force');
  if (forced !== null && verb === 'patch' && mediaType(req) !== APPLY_PATCH) {
    errors.push(fieldForbidden('force', 'may not be specified for non-apply patch'));
  }
  const given = query.get('fieldManager') ?? '';
  if (Buffer.byteLength(given) > FIELD_MANAGER_MAX_LENGTH) errors.push(fieldTooLong('fieldManager', FIELD_MANAGER_MAX_LENGTH));
  const bad = [...given].findIndex((c) => !isPrintable(c));
  if (bad >= 0) {
    const before = [...given].slice(0, bad).join('');
    const code = given.codePointAt(before.length)!.toString(16).toUpperCase().padStart(4, '0');
    errors.push(fieldInvalid('fieldManager', given, `invalid character U+${code} (at position ${Buffer.byteLength(before)})`));
  }
  if (!given && verb === 'patch' && mediaType(req) === APPLY_PATCH) errors.push(fieldRequired('fieldManager', 'is required for apply patch'));
  if (errors.length) throw invalid(optionsKind, 'meta.k8s.io', '', errors);
  if (given) return given;
  let fromAgent = '';
  for (const c of [...(req.headers['user-agent'] ?? '').split('/')[0]!].filter(isPrintable)) {
    if (Buffer.byteLength(fromAgent + c) > FIELD_MANAGER_MAX_LENGTH) break;
    fromAgent += c;
  }
  return fromAgent || 'unknown';
}

const isPrintable = (c: string) => !/[\p{C}\p{Z}]/u.test(c) || c === ' ';

function applyPatch(resource: ResourceInfo, type: string, current: KObject, patch: unknown): KObject {
  try {
    let result: unknown;
    if (type === 'application/json-patch+json') result = applyJsonPatch(current, patch);
    else if (type === 'application/merge-patch+json') result = applyMergePatch(current, patch);
    else result = applyStrategicMergePatch(current, patch, patchSchemaFor(resource.definition!));
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      throw badRequest('the patched object must be a JSON object');
    }
    return result as KObject;
  } catch (e) {
    if (e instanceof PatchError || e instanceof MergePatchError || e instanceof StrategicMergePatchError) {
      throw new ApiError(422, 'Invalid', e.message);
    }
    throw e;
  }
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const body = await readBody(req);
  let options: DeleteOptions = {};
  if (body.length) {
    const parsed = decodeObject(body, mediaType(req));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('DeleteOptions must be a JSON object');
    options = parsed as DeleteOptions;
  }
  const propagation = query.get('propagationPolicy') ?? options.propagationPolicy;
  if (propagation !== undefined && propagation !== null) {
    if (!['Orphan', 'Background', 'Foreground'].includes(propagation)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    options.propagationPolicy = propagation as DeleteOptions['propagationPolicy'];
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  const orphan = query.get('orphanDependents');
  if (orphan !== null) options.orphanDependents = orphan === 'true';
  if (options.propagationPolicy && options.orphanDependents !== undefined) {
    throw new ApiError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + options.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set');
  }
  return options;
}

function successStatus(resource: ResourceInfo, obj: KObject) {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata.name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural, uid: obj.metadata.uid },
  };
}

