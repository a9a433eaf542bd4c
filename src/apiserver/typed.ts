// Request bodies of typed objects: decoded, then checked against the kind's schema as the apiserver's strict
// decoder does (fieldValidation=Strict|Warn|Ignore).
import { normalizeCustomResource } from '../registry/crd/strategies.ts';
import type { KObject, WriteContext } from '../registry/objects.ts';
import { pruneUnknownFields, validateObject } from '../registry/openapi/validate.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { decodeObject } from './body.ts';
import { badRequest } from './errors.ts';

function fieldValidationOf(query: URLSearchParams): string {
  return query.get('fieldValidation') || 'Warn';
}

/** Decodes a create/update body and checks it against the kind's schema as strict decoding does. */
export function decodeTyped(resource: ResourceInfo, body: Buffer, type: string, query: URLSearchParams, write: WriteContext): KObject {
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
export function checkTyped(resource: ResourceInfo, obj: KObject, query: URLSearchParams, write: WriteContext,
  raw?: string, options: { defaults?: boolean } = {}): KObject {
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
    const normalized = normalizeCustomResource(obj, resource, options);
    unknown = normalized.unknownFields.map((f) => `unknown field "${f}"`);
    result = normalized.object;
  }
  if (unknown.length && mode === 'Strict') throw badRequest(`${cannotHandle}: strict decoding error: ${unknown.join(', ')}`);
  if (unknown.length && mode === 'Warn') write.warnings!.push(...unknown);
  return result;
}
