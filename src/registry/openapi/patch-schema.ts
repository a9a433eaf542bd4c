// The strategic-merge-patch metadata of a built-in kind, from its OpenAPI schema.
import { schemaPatchMeta, type PatchSchema } from '../patch/strategic.ts';
import { builtinSchema, builtinSchemas } from './schemas.ts';

const cache = new Map<string, PatchSchema>();

export function patchSchemaFor(definition: string): PatchSchema {
  let meta = cache.get(definition);
  if (!meta) {
    meta = schemaPatchMeta(builtinSchema(definition) ?? {}, builtinSchemas() as Record<string, object>);
    cache.set(definition, meta);
  }
  return meta;
}
