// Server-side apply over HTTP: PATCH with application/apply-patch+yaml (the merging itself is src/registry/apply).
import { applyConfiguration, applySchemaFor, lastAppliedOf, ownedFields } from '../registry/apply/managed.ts';
import { ApplyMergeError, mergeApplied } from '../registry/apply/merge.ts';
import type { KObject, WriteContext } from '../registry/objects.ts';
import { groupVersion } from '../registry/registry.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { decodeObject } from './body.ts';
import { ApiError, badRequest, conflict } from './errors.ts';
import type { ResourceContext } from './resources.ts';
import { checkTyped } from './typed.ts';

export const APPLY_PATCH = 'application/apply-patch+yaml';

/**
 * A server-side apply (PATCH application/apply-patch+yaml): the configuration merged into the object, or the
 * object created from it; managedFields record the fields it sets and refuse changes to others' fields.
 */
export async function serverSideApply(ctx: ResourceContext, resource: ResourceInfo, namespace: string | undefined, name: string,
  sub: string | undefined, body: Buffer, query: URLSearchParams, write: WriteContext): Promise<{ object: KObject; created: boolean }> {
  const config = decodeApplied(resource, body, query, write);
  const meta = config.metadata ?? {};
  if (meta.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  if (meta.name !== undefined && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (resource.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw badRequest(`the namespace of the object (${meta.namespace}) does not match the namespace on the request (${namespace})`);
  }
  const writer = { manager: write.fieldManager!, apiVersion: groupVersion(resource), ...(sub ? { subresource: sub } : {}) };
  const lastApplied = sub ? undefined : lastAppliedOf(config, writer.manager);
  write.apply = {
    fields: new Set(ownedFields(resource, config, sub).keys()), force: query.get('force') === 'true',
    ...(lastApplied !== undefined ? { lastApplied } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await ctx.objects.modify(resource, namespace, name,
        (current) => applyConfiguration(resource, current, config, write.apply!.fields, writer), write, sub);
      return { object, created: false };
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404 && e.details?.name === name) || sub) throw e;
    }
    if (meta.name === undefined) {
      throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
    }
    if (meta.uid) {
      throw conflict(resource, name, `uid mismatch: the provided object specified uid ${meta.uid}, and no existing object was found`);
    }
    try {
      // Merged into nothing, as upstream creates it: nulls in the configuration leave their fields out.
      const object = await ctx.objects.create(resource, namespace, mergeApplied({}, config, applySchemaFor(resource)), write);
      return { object, created: true };
    } catch (e) {
      // Created by someone else meanwhile: apply to theirs.
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists') || attempt > 0) throw e;
    }
  }
}

/** An apply body: one YAML (or JSON) object of the URL's kind, checked as fieldValidation asks but not defaulted. */
function decodeApplied(resource: ResourceInfo, body: Buffer, query: URLSearchParams, write: WriteContext): KObject {
  let config: unknown;
  try {
    config = decodeObject(body, 'application/yaml');
  } catch (e) {
    if (e instanceof ApiError && e.code === 400) throw badRequest(`error decoding YAML: ${e.message}`);
    throw e;
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw badRequest('error decoding YAML: the body must be an object');
  const { apiVersion, kind } = config as KObject;
  const [group, version] = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion ?? ''];
  if (kind !== resource.kind || group !== resource.group || version !== resource.version) {
    throw badRequest(`invalid object type: ${group}/${version}, Kind=${kind ?? ''}`);
  }
  const checked = checkTyped(resource, config as KObject, query, write, undefined, { defaults: false });
  try {
    mergeApplied({}, checked, applySchemaFor(resource));
  } catch (e) {
    if (e instanceof ApplyMergeError) throw badRequest(`failed to create typed patch object (${group}/${version}, Kind=${kind}): ${e.message}`);
    throw e;
  }
  return checked;
}
