// Static checks of a CRD version's openAPIV3Schema: the OpenAPI-subset rules
// (ValidateCustomResourceDefinitionOpenAPISchema) and structurality (ValidateStructural).

import type { JSONSchemaProps } from '../types.ts';
import { child, fieldErr, goJSON, index, key, type FieldError } from './errors.ts';

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

interface Ctx {
  allowDefaults: boolean;
  disallowReason: string;
  insideMeta: boolean;
}

const has = (s: JSONSchemaProps, k: string) => (s as Record<string, unknown>)[k] !== undefined;
const props = (s: JSONSchemaProps) => Object.entries(s.properties ?? {});
const apSchema = (s: JSONSchemaProps) =>
  s.additionalProperties !== undefined && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;

/** ValidateCustomResourceDefinitionOpenAPISchema without the CEL parts. */
export function validateSchemaProps(schema: JSONSchemaProps, path: string, isRoot = true,
  ctx: Ctx = { allowDefaults: true, disallowReason: '', insideMeta: false }): FieldError[] {
  const errs: FieldError[] = [...validateV3(schema, path, ctx)];
  const s = schema;
  if (s.uniqueItems === true) {
    errs.push(fieldErr.forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  }
  if (s.additionalProperties !== undefined) {
    if (s.properties && Object.keys(s.properties).length > 0 && (s.additionalProperties === false || typeof s.additionalProperties === 'object')) {
      errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = apSchema(s);
    if (sub) {
      const subCtx = ctx.insideMeta ? { ...ctx, allowDefaults: false, disallowReason: 'inside additionalProperties applying to object metadata' } : ctx;
      errs.push(...validateSchemaProps(sub, child(path, 'additionalProperties'), false, subCtx));
    }
  }
  for (const [name, p] of props(s)) {
    let subCtx = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(name)) {
      subCtx = { ...subCtx, insideMeta: true };
      if (isRoot) subCtx = { ...subCtx, allowDefaults: false, disallowReason: `in top-level ${name}` };
    }
    errs.push(...validateSchemaProps(p, key(child(path, 'properties'), name), false, subCtx));
  }
  if (s.not) errs.push(...validateSchemaProps(s.not, child(path, 'not'), false, ctx));
  for (const [junctor, list] of [['allOf', s.allOf], ['oneOf', s.oneOf], ['anyOf', s.anyOf]] as const) {
    (list ?? []).forEach((sub, i) => errs.push(...validateSchemaProps(sub, index(child(path, junctor), i), false, ctx)));
  }
  if (s.items && !Array.isArray(s.items)) errs.push(...validateSchemaProps(s.items, child(path, 'items'), false, ctx));
  errs.push(...validateExtensions(s, path));
  return errs;
}

/** specStandardValidatorV3.validate */
function validateV3(s: JSONSchemaProps, path: string, ctx: Ctx): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type && s.type !== 'null' && !OPENAPI_TYPES.includes(s.type)) {
    errs.push(fieldErr.notSupported(child(path, 'type'), s.type, OPENAPI_TYPES));
  }
  if (s.default !== undefined && !ctx.allowDefaults) {
    errs.push(fieldErr.forbidden(child(path, 'default'), `must not be set${ctx.disallowReason ? ` ${ctx.disallowReason}` : ''}`));
  }
  if (has(s, 'id')) errs.push(fieldErr.forbidden(child(path, 'id'), 'id is not supported'));
  if (has(s, 'additionalItems')) errs.push(fieldErr.forbidden(child(path, 'additionalItems'), 'additionalItems is not supported'));
  if (has(s, 'patternProperties')) errs.push(fieldErr.forbidden(child(path, 'patternProperties'), 'patternProperties is not supported'));
  if (has(s, 'definitions')) errs.push(fieldErr.forbidden(child(path, 'definitions'), 'definitions is not supported'));
  if (has(s, 'dependencies')) errs.push(fieldErr.forbidden(child(path, 'dependencies'), 'dependencies is not supported'));
  if (has(s, '$ref')) errs.push(fieldErr.forbidden(child(path, '$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(fieldErr.forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items)) errs.push(fieldErr.forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource']) {
    errs.push(fieldErr.forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  }
  return errs;
}

function validateExtensions(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s['x-kubernetes-list-type'];
  const mapType = s['x-kubernetes-map-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(fieldErr.invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  if (mapType !== undefined && s.type !== 'object') {
    const msg = 'must be object if x-kubernetes-map-type is specified';
    errs.push(s.type ? fieldErr.invalid(child(path, 'type'), s.type, msg) : fieldErr.required(child(path, 'type'), msg));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(fieldErr.notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  }
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  if (listType !== undefined && s.type !== 'array') {
    const msg = 'must be array if x-kubernetes-list-type is specified';
    errs.push(s.type ? fieldErr.invalid(child(path, 'type'), s.type, msg) : fieldErr.required(child(path, 'type'), msg));
  } else if (listType === 'set' && items) {
    const msg = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(fieldErr.invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], msg));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(fieldErr.invalid(child(child(path, 'items'), 'x-kubernetes-map-type'), items['x-kubernetes-list-type'] ?? null, msg));
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) {
    errs.push(fieldErr.notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  }
  if (mapKeys.length > 0) {
    const msg = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push(fieldErr.required(child(path, 'x-kubernetes-list-type'), msg));
    else if (listType !== 'map') errs.push(fieldErr.invalid(child(path, 'x-kubernetes-list-type'), listType, msg));
  }
  if (listType === 'map') {
    if (mapKeys.length === 0) errs.push(fieldErr.required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (s.items === undefined) errs.push(fieldErr.required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object') {
      errs.push(fieldErr.invalid(child(child(path, 'items'), 'type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    }
    if (items && items.type === 'object') {
      const seen = new Set<string>();
      for (const k of mapKeys) {
        const p = items.properties?.[k];
        if (p) {
          if (p.type === 'array' || p.type === 'object') {
            errs.push(fieldErr.invalid(child(key(child(child(path, 'items'), 'properties'), k), 'type'), items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
        } else {
          errs.push(fieldErr.invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'entries must all be names of item properties'));
        }
        if (seen.has(k)) errs.push(fieldErr.invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  if (items && (listType === 'set' || listType === 'map')) {
    if (items.nullable) errs.push(fieldErr.forbidden(child(child(path, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      const required = new Set(items.required ?? []);
      for (const k of mapKeys) {
        const p = items.properties?.[k];
        if (!p) continue;
        const kp = key(child(child(path, 'items'), 'properties'), k);
        if (!required.has(k) && p.default === undefined) {
          errs.push(fieldErr.required(child(kp, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
        if (p.nullable) errs.push(fieldErr.forbidden(child(kp, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
  return errs;
}

// ---- structurality (apiextensions-apiserver/pkg/apiserver/schema/validation.go) ----

type Level = 'root' | 'item' | 'field';

const INT_OR_STRING_ANY_OF = [{ type: 'integer' }, { type: 'string' }];
const isIntOrStringAnyOf = (anyOf?: JSONSchemaProps[]) =>
  !!anyOf && anyOf.length === 2 && goJSON(anyOf) === goJSON(INT_OR_STRING_ANY_OF);

/** ValidateStructural: errors sorted by their text, as upstream does. */
export function validateStructural(s: JSONSchemaProps, path: string): FieldError[] {
  const errs = [...structuralInvariants(s, 'root', path), ...completeness(s, path)];
  return errs.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}

function structuralInvariants(s: JSONSchemaProps | undefined, lvl: Level, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  if (s.type === 'array' && !items) errs.push(fieldErr.required(child(path, 'items'), 'must be specified'));
  errs.push(...structuralInvariants(items, 'item', child(path, 'items')));
  for (const [name, p] of props(s)) errs.push(...structuralInvariants(p, 'field', key(child(path, 'properties'), name)));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    const ap = apSchema(s);
    if (ap) errs.push(...structuralInvariants(ap, 'field', child(path, 'additionalProperties')));
  }
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  if (intOrString && preserve) {
    errs.push(fieldErr.invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString && embedded) {
    errs.push(fieldErr.invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = !!s.allOf?.length && isIntOrStringAnyOf(s.allOf[0].anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path));

  const checkMetadata = lvl === 'root' || embedded;
  if (embedded && s.type !== 'object') {
    const msg = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(s.type ? fieldErr.invalid(child(path, 'type'), s.type, msg) : fieldErr.required(child(path, 'type'), msg));
  } else if (!s.type && !intOrString && !preserve) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[lvl];
    errs.push(fieldErr.required(child(path, 'type'), `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(fieldErr.invalid(child(path, 'type'), s.type, 'must be object at the root'));
  for (const f of ['kind', 'apiVersion']) {
    const p = s.properties?.[f];
    if (p && checkMetadata && p.type !== 'string') {
      errs.push(fieldErr.invalid(child(key(child(path, 'properties'), f), 'type'), p.type ?? '', 'must be string'));
    }
  }
  const meta = s.properties?.metadata;
  if (meta) errs.push(...metadataInvariants(meta, checkMetadata, lvl, key(child(path, 'properties'), 'metadata')));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(fieldErr.required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

function metadataInvariants(s: JSONSchemaProps, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== 'object') errs.push(fieldErr.invalid(child(path, 'type'), s.type ?? '', 'must be object'));
  if (lvl === 'root') {
    const rest: Record<string, unknown> = { ...s };
    delete rest.type;
    delete rest.default;
    const names = Object.keys(s.properties ?? {});
    if (names.length > 0 && names.every((n) => n === 'name' || n === 'generateName')) delete rest.properties;
    if (Object.keys(rest).length > 0) {
      errs.push(fieldErr.forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

const NESTED_FORBIDDEN: [keyof JSONSchemaProps & string, string][] = [
  ['type', 'must be empty to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['externalDocs', 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  return !(Array.isArray(v) && v.length === 0);
}

function valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) (v.anyOf ?? []).forEach((n, i) => errs.push(...nestedValueValidation(n, false, index(child(path, 'anyOf'), i))));
  (v.allOf ?? []).forEach((n, i) => errs.push(...nestedValueValidation(n, skipFirstAllOfAnyOf && i === 0, index(child(path, 'allOf'), i))));
  (v.oneOf ?? []).forEach((n, i) => errs.push(...nestedValueValidation(n, false, index(child(path, 'oneOf'), i))));
  if (v.not) errs.push(...nestedValueValidation(v.not, false, child(path, 'not')));
  if (v.pattern) {
    try {
      new RegExp(v.pattern);
    } catch (e) {
      errs.push(fieldErr.invalid(child(path, 'pattern'), v.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
  return errs;
}

function nestedValueValidation(v: JSONSchemaProps, skipAnyOf: boolean, path: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, path);
  if (v.items && !Array.isArray(v.items)) errs.push(...nestedValueValidation(v.items, false, child(path, 'items')));
  for (const [name, p] of props(v)) errs.push(...nestedValueValidation(p, false, key(child(path, 'properties'), name)));
  for (const [k, msg] of NESTED_FORBIDDEN) {
    if (k === 'default' ? v.default !== undefined : isSet(v[k])) errs.push(fieldErr.forbidden(child(path, k), msg));
    if (k === 'type' && v.additionalProperties !== undefined) {
      errs.push(fieldErr.forbidden(child(path, 'additionalProperties'), 'must be undefined to be structural'));
    }
  }
  if (v.properties?.metadata) errs.push(fieldErr.forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

// Every field or array specified in a value validation must also be specified structurally.
function completeness(s: JSONSchemaProps, path: string): FieldError[] {
  const errs = junctorCompleteness(s, s, path, path);
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  if (items) errs.push(...completeness(items, child(path, 'items')));
  for (const [name, p] of props(s)) errs.push(...completeness(p, key(child(path, 'properties'), name)));
  const ap = apSchema(s);
  if (ap) errs.push(...completeness(ap, child(path, 'additionalProperties')));
  return errs;
}

function junctorCompleteness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) {
    (v[j] ?? []).forEach((n, i) => errs.push(...nestedCompleteness(n, s, sPath, index(child(vPath, j), i))));
  }
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [fieldErr.required(sPath, `because it is defined in ${vPath}`)];
  const errs = junctorCompleteness(v, s, sPath, vPath);
  if (v.items && !Array.isArray(v.items)) {
    const sItems = s.items && !Array.isArray(s.items) ? s.items : undefined;
    errs.push(...nestedCompleteness(v.items, sItems, child(sPath, 'items'), child(vPath, 'items')));
  }
  for (const [name, p] of props(v)) {
    const sp = s.properties?.[name];
    const spPath = key(child(sPath, 'properties'), name);
    const vpPath = key(child(vPath, 'properties'), name);
    if (!sp) errs.push(fieldErr.required(spPath, `because it is defined in ${vpPath}`));
    else errs.push(...nestedCompleteness(p, sp, spPath, vpPath));
  }
  return errs;
}
