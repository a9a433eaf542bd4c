// Strict typed decoding of an object against its OpenAPI schema, reporting what the
// apiserver's JSON decoder (sigs.k8s.io/json, strict mode) reports for built-in kinds:
//  - unknown fields, by path (upstream words them `unknown field "spec.template.spec.containers[0].foo"`);
//  - duplicate fields (only when the raw request text is given), by path (`duplicate field "metadata.name"`);
//  - type mismatches, worded as encoding/json's UnmarshalTypeError:
//    `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
// The apiserver fails a request with the first type error; it lists every strict error.
import type { JSONSchemaProps } from '../types.ts';
import { builtinSchema, resolveSchema } from './schemas.ts';

export interface ValidationResult {
  /** Field paths, e.g. 'spec.template.spec.containers[0].foo' (reported as `unknown field "<path>"`). */
  unknownFields: string[];
  /** Field paths repeated in the raw body (reported as `duplicate field "<path>"`); only with opts.raw. */
  duplicateFields?: string[];
  /** Complete decoder messages; the apiserver fails the request with the first. */
  typeErrors: string[];
}

export interface ValidateOptions {
  /** The request body as sent (JSON); enables duplicate-field detection. */
  raw?: string;
  /** Resolves definition names; defaults to the built-in schemas. */
  lookup?: (name: string) => JSONSchemaProps | undefined;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);
/** Types with their own (lenient) JSON unmarshalers: anything inside them is accepted. */
const OPAQUE = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_SUFFIX_RE = /^(|[numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]+)$/;

/** A schema node with the definition it was reached through (if any). */
interface Node {
  schema: JSONSchemaProps | undefined;
  definition?: string;
}

interface Walk {
  lookup: (name: string) => JSONSchemaProps | undefined;
  unknown: string[];
  typeErrors: string[];
  prune: boolean;
}

/** Go decoder position: the struct owning the last field and the dotted field stack (no indices). */
interface GoContext {
  struct: string;
  fields: string[];
}

function resolve(schema: JSONSchemaProps | undefined, lookup: Walk['lookup']): Node {
  return resolveSchema(schema, lookup);
}

function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}

/** Go's reflect.Type.String() for the type behind a schema, e.g. `v1.PodSpec`, `[]v1.Container`, `int32`. */
function goType(schema: JSONSchemaProps | undefined, lookup: Walk['lookup']): string {
  const { schema: s, definition } = resolve(schema, lookup);
  if (definition === INT_OR_STRING) return 'intstr.IntOrString';
  if (definition && (s?.properties || s?.type === 'object' || !s?.type)) {
    const parts = definition.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (!s) return 'interface {}';
  switch (s.type) {
    case 'array': return '[]' + goType(s.items, lookup);
    case 'object': return s.additionalProperties && typeof s.additionalProperties === 'object'
      ? 'map[string]' + goType(s.additionalProperties, lookup) : 'map[string]interface {}';
    case 'integer': return s.format === 'int64' ? 'int64' : 'int32';
    case 'number': return s.format === 'float' ? 'float32' : 'float64';
    case 'boolean': return 'bool';
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    default: return 'interface {}';
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    default: return 'object';
  }
}

function typeError(w: Walk, ctx: GoContext, value: string, type: string): void {
  w.typeErrors.push(ctx.fields.length
    ? `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${type}`
    : `json: cannot unmarshal ${value} into Go value of type ${type}`);
}

function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The offset Go's base64.StdEncoding reports as "illegal base64 data at input byte N", or -1. */
function base64ErrorOffset(src: string): number {
  const B64 = /[A-Za-z0-9+/]/;
  let si = 0;
  const skipNewlines = () => { while (si < src.length && (src[si] === '\r' || src[si] === '\n')) si++; };
  while (si < src.length) {
    for (let j = 0; j < 4; j++) {
      skipNewlines();
      if (si === src.length) return j === 0 ? -1 : si - j;
      const c = src[si++];
      if (B64.test(c)) continue;
      if (c !== '=') return si - 1;
      // Padding: valid only as the third or fourth character of the last quantum.
      if (j < 2) return si - 1;
      if (j === 2) {
        skipNewlines();
        if (si === src.length) return src.length;
        if (src[si] !== '=') return si - 1;
        si++;
      }
      skipNewlines();
      return si < src.length ? si : -1;
    }
  }
  return -1;
}

/** Checks a literal against a scalar schema; returns the value to keep. */
function checkScalar(w: Walk, node: Node, value: unknown, ctx: GoContext): void {
  const s = node.schema!;
  const def = node.definition;
  if (def === INT_OR_STRING || s['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') return;
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 0x7fffffff) return;
    typeError(w, ctx, typeof value === 'number' ? `number ${value}` : jsonKind(value), 'int32');
    return;
  }
  if (def === QUANTITY) {
    if (typeof value === 'number') return;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const m = QUANTITY_RE.exec(text);
    if (!m) w.typeErrors.push(`quantities must match the regular expression '${QUANTITY_RE.source}'`);
    else if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) w.typeErrors.push('unable to parse numeric part of quantity');
    else if (!QUANTITY_SUFFIX_RE.test(m[2])) w.typeErrors.push("unable to parse quantity's suffix");
    return;
  }
  if (def && TIME.has(def)) {
    if (typeof value !== 'string') typeError(w, ctx, jsonKind(value), 'string');
    return;
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') typeError(w, ctx, jsonKind(value), goType(s, w.lookup));
      else if (s.format === 'byte') {
        const at = base64ErrorOffset(value);
        if (at >= 0) w.typeErrors.push(`illegal base64 data at input byte ${at}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(w, ctx, jsonKind(value), 'bool');
      return;
    case 'integer': {
      const type = goType(s, w.lookup);
      if (typeof value !== 'number') { typeError(w, ctx, jsonKind(value), type); return; }
      const limit = type === 'int64' ? 2 ** 63 : 2 ** 31;
      if (!Number.isInteger(value) || value >= limit || value < -limit) typeError(w, ctx, `number ${value}`, type);
      return;
    }
    case 'number':
      if (typeof value !== 'number') typeError(w, ctx, jsonKind(value), goType(s, w.lookup));
      return;
  }
}

/**
 * Walks `value` against `schema`; returns the value with unknown fields removed when pruning.
 * `path` is the strict-error path (with [i] indices), `ctx` the Go error context.
 */
function walk(w: Walk, schema: JSONSchemaProps | undefined, value: unknown, path: string, ctx: GoContext, root = false): unknown {
  if (value === null || value === undefined) return value;
  const node = resolve(schema, w.lookup);
  const s = node.schema;
  if (!s || (node.definition && OPAQUE.has(node.definition))) return value;

  const isObjectSchema = !!s.properties || s.type === 'object' || (!s.type && !!s.additionalProperties);
  if (isObjectSchema && node.definition !== QUANTITY && node.definition !== INT_OR_STRING) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      typeError(w, ctx, jsonKind(value), goType(schema, w.lookup));
      return value;
    }
    return walkObject(w, node, value as Record<string, unknown>, path, ctx, root);
  }
  if (s.type === 'array') {
    if (!Array.isArray(value)) {
      typeError(w, ctx, jsonKind(value), goType(schema, w.lookup));
      return value;
    }
    const out = value.map((item, i) => walk(w, s.items, item, `${path}[${i}]`, ctx));
    return w.prune ? out : value;
  }
  checkScalar(w, node, value, ctx);
  return value;
}

function walkObject(w: Walk, node: Node, obj: Record<string, unknown>, path: string, ctx: GoContext, root: boolean): unknown {
  const s = node.schema!;
  const out: Record<string, unknown> = {};
  const props = s.properties;
  const extra = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const struct = node.definition ? shortName(node.definition) : ctx.struct;
  for (const [key, value] of Object.entries(obj)) {
    const here = joinPath(path, key);
    if (props && Object.hasOwn(props, key)) {
      out[key] = walk(w, props[key], value, here, { struct, fields: [...ctx.fields, key] });
    } else if (extra && typeof extra === 'object') {
      out[key] = walk(w, extra, value, here, ctx);
    } else if (extra === true || preserve) {
      out[key] = value;
    } else if ((root || embedded) && (key === 'apiVersion' || key === 'kind')) {
      out[key] = value;
    } else if ((root || embedded) && key === 'metadata') {
      // Custom resource schemas leave metadata out; it is always an ObjectMeta.
      out[key] = walk(w, { $ref: '#/components/schemas/' + OBJECT_META }, value, here, { struct, fields: [...ctx.fields, key] });
    } else {
      w.unknown.push(here);
    }
  }
  return w.prune ? out : obj;
}

function rootSchema(schemaOrDefinition: JSONSchemaProps | string): JSONSchemaProps {
  return typeof schemaOrDefinition === 'string' ? { $ref: '#/components/schemas/' + schemaOrDefinition } : schemaOrDefinition;
}

function rootContext(schema: JSONSchemaProps, lookup: Walk['lookup']): GoContext {
  const { definition } = resolve(schema, lookup);
  return { struct: definition ? shortName(definition) : '', fields: [] };
}

/**
 * Decodes `obj` strictly against a definition name (e.g. 'io.k8s.api.apps.v1.Deployment')
 * or a schema. apiVersion and kind are always allowed at the top level.
 */
export function validateObject(obj: unknown, schemaOrDefinition: JSONSchemaProps | string, opts: ValidateOptions = {}): ValidationResult {
  const w: Walk = { lookup: withBuiltins(opts.lookup), unknown: [], typeErrors: [], prune: false };
  const schema = rootSchema(schemaOrDefinition);
  walk(w, schema, obj, '', rootContext(schema, w.lookup), true);
  const result: ValidationResult = { unknownFields: dedupe(w.unknown), typeErrors: w.typeErrors };
  if (opts.raw !== undefined) result.duplicateFields = findDuplicateFields(opts.raw);
  return result;
}

/** A copy of `obj` without the fields its schema does not declare (fieldValidation Warn/Ignore). */
export function pruneUnknownFields<T>(obj: T, schemaOrDefinition: JSONSchemaProps | string, opts: Pick<ValidateOptions, 'lookup'> = {}): T {
  const w: Walk = { lookup: withBuiltins(opts.lookup), unknown: [], typeErrors: [], prune: true };
  const schema = rootSchema(schemaOrDefinition);
  return walk(w, schema, obj, '', rootContext(schema, w.lookup), true) as T;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

// ---------------------------------------------------------------- duplicate keys in raw JSON

/** The path of every object key repeated in the JSON text (paths as for unknown fields). */
export function findDuplicateFields(raw: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = () => { while (i < raw.length && ' \t\r\n'.includes(raw[i])) i++; };
  const str = (): string => {
    const start = i;
    i++;
    while (i < raw.length && raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
    i++;
    try { return JSON.parse(raw.slice(start, i)) as string; } catch { return raw.slice(start + 1, i - 1); }
  };
  const value = (path: string): void => {
    ws();
    const c = raw[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (raw[i] === '}') { i++; return; }
      while (i < raw.length) {
        ws();
        const key = str();
        const here = joinPath(path, key);
        if (seen.has(key)) found.push(here);
        seen.add(key);
        ws();
        i++; // ':'
        value(here);
        ws();
        if (raw[i++] !== ',') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (raw[i] === ']') { i++; return; }
      for (let n = 0; i < raw.length; n++) {
        value(`${path}[${n}]`);
        ws();
        if (raw[i++] !== ',') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < raw.length && !',]} \t\r\n'.includes(raw[i])) i++;
    }
  };
  try { value(''); } catch { /* malformed input: the JSON parser reports it */ }
  return dedupe(found);
}

function withBuiltins(lookup: ValidateOptions['lookup']): Walk['lookup'] {
  return lookup ? (name) => lookup(name) ?? builtinSchema(name) : builtinSchema;
}
