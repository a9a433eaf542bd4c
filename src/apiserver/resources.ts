// The resource endpoints: every verb on /api/v1/... and /apis/<group>/<version>/...
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeCustomResource } from '../registry/crd/strategies.ts';
import { parseSelectors } from '../registry/filters.ts';
import type { UserInfo } from './authz/user.ts';
import type { DeleteOptions, KObject, ObjectService, WriteContext } from '../registry/objects.ts';
import { validateObject, pruneUnknownFields } from '../registry/openapi/validate.ts';
import { applyJsonPatch, decodeJsonPatch, PatchError } from '../registry/patch/jsonpatch.ts';
import { applyMergePatch, MergePatchError } from '../registry/patch/mergepatch.ts';
import { applyStrategicMergePatch, StrategicMergePatchError } from '../registry/patch/strategic.ts';
import { patchSchemaFor } from '../registry/openapi/patch-schema.ts';
import { groupVersion } from '../registry/registry.ts';
import { toTable, type IncludeObject } from '../registry/tables.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { decodeObject, mediaType, parseJson, readBody } from './body.ts';
import { ApiError, badRequest, methodNotAllowed, notAcceptable, notFoundPath, unsupportedMediaType } from './errors.ts';
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

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json'];
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
  const write = writeContext(query, ctx.user);

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
      const list = await ctx.objects.list(resource, namespace, {
        ...parseSelectors(resource, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined),
        limit: parseLimit(query.get('limit')),
        continue: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
      });
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

function writeContext(query: URLSearchParams, user: UserInfo): WriteContext {
  const dryRun = query.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(value)}; supported values: "All"`);
  }
  const fieldValidation = query.get('fieldValidation');
  if (fieldValidation && !FIELD_VALIDATION.includes(fieldValidation)) {
    throw badRequest(`fieldValidation parameter unsupported: ${fieldValidation}; valid values are: Ignore, Warn, Strict`);
  }
  return { dryRun: dryRun.length > 0, warnings: [], user };
}

function fieldValidationOf(query: URLSearchParams): string {
  return query.get('fieldValidation') || 'Warn';
}

/** Decodes a create/update body and checks it against the kind's schema as strict decoding does. */
function decodeTyped(resource: ResourceInfo, body: Buffer, type: string, query: URLSearchParams, write: WriteContext): KObject {
  const obj = decodeObject(body, type);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: the request body must be a JSON object`);
  }
  return checkTyped(resource, obj as KObject, query, write, type === 'application/json' ? body.toString('utf8') : undefined);
}

/**
 * Applies fieldValidation: type errors always fail; unknown/duplicate fields fail (Strict), warn (Warn)
 * or are dropped silently (Ignore). Custom resources are pruned and defaulted by their schema.
 */
function checkTyped(resource: ResourceInfo, obj: KObject, query: URLSearchParams, write: WriteContext,
  raw?: string): KObject {
  const mode = fieldValidationOf(query);
  const cannotHandle = `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`;
  let unknown: string[];
  let result: KObject;
  if (resource.definition) {
    const checked = validateObject(obj, resource.definition, raw !== undefined ? { raw } : {});
    if (checked.typeErrors.length) throw badRequest(`${cannotHandle}: ${checked.typeErrors[0]}`);
    unknown = [
      ...(checked.duplicateFields ?? []).map((f) => `duplicate field "${f}"`),
      ...checked.unknownFields.map((f) => `unknown field "${f}"`),
    ];
    result = unknown.length ? pruneUnknownFields(obj, resource.definition) : obj;
  } else {
    const normalized = normalizeCustomResource(obj, resource);
    unknown = normalized.unknownFields.map((f) => `unknown field "${f}"`);
    result = normalized.object;
  }
  if (unknown.length && mode === 'Strict') throw badRequest(`${cannotHandle}: strict decoding error: ${unknown.join(', ')}`);
  if (unknown.length && mode === 'Warn') write.warnings!.push(...unknown);
  return result;
}

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

