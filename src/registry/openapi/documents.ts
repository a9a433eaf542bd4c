// The OpenAPI documents the apiserver publishes:
//  - GET /openapi/v3                 index of group versions, each URL carrying a content hash;
//  - GET /openapi/v3/apis/<g>/<v>    one OpenAPI 3.0 document per group version;
//  - GET /openapi/v2                 one Swagger 2.0 document for everything (JSON, or protobuf
//                                    as gnostic's openapi_v2.Document; see proto-v2.ts).
// Documents are built lazily and cached until the served resources change (detected from a
// cheap signature of the ResourceInfo list) or invalidateOpenAPIDocuments() is called.
import { createHash } from 'node:crypto';
import type { GroupVersionKind, JSONSchemaProps, ResourceInfo } from '../types.ts';
import { crdDefinitions } from './crd-schemas.ts';
import { consumes, discoveryPath, resourcePaths, type Operation, type Param, type PathItem } from './operations.ts';
import { encodeOpenAPIV2 } from './proto-v2.ts';
import { builtinSchema, builtinSchemasSource, definitionFor, SCHEMA_REF_PREFIX } from './schemas.ts';

export interface OpenAPIDocument {
  /** The serialized document. */
  body: string;
  /** Upper-case hex SHA-512 of body, as kube-openapi computes ETags and ?hash= values. */
  hash: string;
}

export interface OpenAPIBinaryDocument {
  body: Uint8Array;
  hash: string;
}

type Json = Record<string, unknown>;
type Lookup = (name: string) => JSONSchemaProps | undefined;

const V2_REF_PREFIX = '#/definitions/';
const SECURITY_V3 = { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } };
const SECURITY_V2 = { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } };

export function contentHash(body: string | Uint8Array): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

/** 'api/v1' for the core group, 'apis/<group>/<version>' otherwise (the /openapi/v3 path keys). */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function kubernetesVersion(): string {
  const v = builtinSchemasSource().kubernetesTypes ?? '1.30.0';
  return 'v' + v.replace(/^v/, '');
}

// ---------------------------------------------------------------- model

interface GroupVersionModel {
  group: string;
  version: string;
  paths: PathItem[];
  /** Definitions contributed by custom resources of this group version (v3 or v2 form). */
  crdSchemas: Record<string, JSONSchemaProps>;
  /** Definitions the paths name directly. */
  roots: Set<string>;
}

function listDefinitionOf(definition: string): string {
  return builtinSchema(definition + 'List') ? definition + 'List' : definition;
}

function builtinDefinition(r: ResourceInfo): string | undefined {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const name = r.definition ?? (r.crdSchema ? undefined : definitionFor(gvk));
  return name && builtinSchema(name) ? name : undefined;
}

function buildModels(resources: ResourceInfo[], v2: boolean): GroupVersionModel[] {
  const models = new Map<string, GroupVersionModel>();
  for (const r of resources) {
    const key = groupVersionPath(r.group, r.version);
    let m = models.get(key);
    if (!m) {
      m = { group: r.group, version: r.version, paths: [discoveryPath(r.group, r.version)], crdSchemas: {}, roots: new Set() };
      models.set(key, m);
    }
    const builtin = builtinDefinition(r);
    let names;
    if (builtin) {
      names = { definition: builtin, listDefinition: listDefinitionOf(builtin), customResource: false };
    } else {
      const crd = crdDefinitions(r, v2);
      Object.assign(m.crdSchemas, crd.schemas);
      names = { definition: crd.definition, listDefinition: crd.listDefinition, customResource: true };
    }
    m.paths.push(...resourcePaths(r, names));
  }
  for (const m of models.values()) {
    m.paths.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const p of m.paths) for (const o of p.operations) {
      if (o.body) m.roots.add(o.body.definition);
      for (const res of o.responses) if (res.definition) m.roots.add(res.definition);
    }
  }
  return [...models.values()].sort((a, b) => groupVersionPath(a.group, a.version).localeCompare(groupVersionPath(b.group, b.version)));
}

/** Calls `fn` on every sub-schema of `s` (properties, items, additionalProperties, junctors). */
function forEachSubschema(s: JSONSchemaProps, fn: (sub: JSONSchemaProps) => void): void {
  const isSchema = (v: unknown): v is JSONSchemaProps => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isSchema(s.properties)) for (const v of Object.values(s.properties)) if (isSchema(v)) fn(v);
  if (isSchema(s.items)) fn(s.items);
  else if (Array.isArray(s.items)) for (const v of s.items as unknown[]) if (isSchema(v)) fn(v);
  if (isSchema(s.additionalProperties)) fn(s.additionalProperties);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) for (const v of s[j] ?? []) if (isSchema(v)) fn(v);
  if (isSchema(s.not)) fn(s.not);
}

/** Every definition reachable from `roots`, sorted by name. */
function closure(roots: Iterable<string>, lookup: Lookup): Record<string, JSONSchemaProps> {
  const seen = new Map<string, JSONSchemaProps>();
  const queue = [...roots];
  const visit = (s: JSONSchemaProps): void => {
    if (typeof s.$ref === 'string') queue.push(s.$ref.slice(s.$ref.lastIndexOf('/') + 1));
    forEachSubschema(s, visit);
  };
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const schema = lookup(name);
    if (!schema) continue;
    seen.set(name, schema);
    visit(schema);
  }
  return Object.fromEntries([...seen.keys()].sort().map((k) => [k, seen.get(k)!]));
}

function lookupWith(extra: Record<string, JSONSchemaProps>): Lookup {
  return (name) => (Object.hasOwn(extra, name) ? extra[name] : builtinSchema(name));
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/**
 * The two scalar unions as kube-openapi publishes them (the stored schemas keep the
 * simpler `type: string` form for the registry's own walkers): v3 spells out oneOf, v2
 * says string; clients such as kubectl explain print their names from this shape.
 */
function publishedScalarUnion(name: string, schema: JSONSchemaProps, v2: boolean): JSONSchemaProps {
  const description = schema.description ? { description: schema.description } : {};
  if (name === QUANTITY) return v2 ? { ...description, type: 'string' } : { ...description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  if (name === INT_OR_STRING) {
    return v2 ? { ...description, type: 'string', format: 'int-or-string' }
      : { ...description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  return schema;
}

function published(schemas: Record<string, JSONSchemaProps>, v2: boolean): Record<string, JSONSchemaProps> {
  for (const name of [QUANTITY, INT_OR_STRING]) if (schemas[name]) schemas[name] = publishedScalarUnion(name, schemas[name], v2);
  return schemas;
}

// ---------------------------------------------------------------- OpenAPI v3

function v3Ref(definition: string): Json {
  return { $ref: SCHEMA_REF_PREFIX + definition };
}

function v3Param(p: Param): Json {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function gvkExtension(o: Operation): Json {
  const out: Json = {};
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

function v3Operation(o: Operation): Json {
  const out: Json = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = o.params.map(v3Param);
  if (o.body) {
    const schema = v3Ref(o.body.definition);
    out.requestBody = {
      content: Object.fromEntries(consumes(o).map((t) => [t, { schema }])),
      ...(o.body.required ? { required: true } : {}),
    };
  }
  out.responses = Object.fromEntries(o.responses.map((r) => [r.code, r.definition
    ? { description: r.description, content: Object.fromEntries(o.produces.map((t) => [t, { schema: v3Ref(r.definition!) }])) }
    : { description: r.description }]));
  return { ...out, ...gvkExtension(o) };
}

function v3Paths(paths: PathItem[]): Json {
  const out: Json = {};
  for (const p of paths) {
    const item: Json = {};
    for (const o of p.operations) item[o.method] = v3Operation(o);
    if (p.params.length) item.parameters = p.params.map(v3Param);
    out[p.path] = item;
  }
  return out;
}

function v3Document(m: GroupVersionModel): Json {
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: kubernetesVersion() },
    paths: v3Paths(m.paths),
    components: { schemas: published(closure(m.roots, lookupWith(m.crdSchemas)), false), securitySchemes: SECURITY_V3 },
    security: [{ BearerToken: [] }],
  };
}

// ---------------------------------------------------------------- Swagger 2.0

/** A built-in (v3-style) schema in Swagger 2.0 form: #/definitions/ refs, allOf wrappers unwrapped. */
export function toV2Schema(schema: JSONSchemaProps): JSONSchemaProps {
  let s = schema;
  if (s.allOf?.length === 1 && typeof s.allOf[0].$ref === 'string' && !s.properties) {
    const { allOf, ...rest } = s;
    s = { ...allOf[0], ...rest };
  }
  const out: JSONSchemaProps = { ...s };
  if (typeof s.$ref === 'string' && s.$ref.startsWith(SCHEMA_REF_PREFIX)) out.$ref = V2_REF_PREFIX + s.$ref.slice(SCHEMA_REF_PREFIX.length);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV2Schema(v)]));
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) out.items = toV2Schema(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toV2Schema(s.additionalProperties);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) if (s[j]) out[j] = s[j]!.map(toV2Schema);
  if (s.not) out.not = toV2Schema(s.not);
  return out;
}

function v2Param(p: Param): Json {
  return { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in, ...(p.required ? { required: true } : {}) };
}

function v2Operation(o: Operation): Json {
  const params: Json[] = [];
  if (o.body) params.push({ name: 'body', in: 'body', ...(o.body.required ? { required: true } : {}), schema: { $ref: V2_REF_PREFIX + o.body.definition } });
  params.push(...o.params.map(v2Param));
  const out: Json = {
    description: o.description,
    consumes: o.method === 'get' ? ['*/*'] : consumes(o),
    produces: o.produces,
    schemes: ['https'],
    tags: [o.tag],
    operationId: o.operationId,
  };
  if (params.length) out.parameters = params;
  out.responses = Object.fromEntries(o.responses.map((r) => [r.code, r.definition
    ? { description: r.description, schema: { $ref: V2_REF_PREFIX + r.definition } }
    : { description: r.description }]));
  return { ...out, ...gvkExtension(o) };
}

function v2Document(models: GroupVersionModel[]): Json {
  const paths: Json = {};
  const crdSchemas: Record<string, JSONSchemaProps> = {};
  const roots = new Set<string>();
  for (const m of models) {
    Object.assign(crdSchemas, m.crdSchemas);
    for (const r of m.roots) roots.add(r);
    for (const p of m.paths) {
      const item: Json = {};
      for (const o of p.operations) item[o.method] = v2Operation(o);
      if (p.params.length) item.parameters = p.params.map(v2Param);
      paths[p.path] = item;
    }
  }
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]]));
  const definitions: Json = {};
  for (const [name, schema] of Object.entries(published(closure(roots, lookupWith(crdSchemas)), true))) {
    definitions[name] = Object.hasOwn(crdSchemas, name) ? schema : toV2Schema(schema);
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: kubernetesVersion() },
    paths: sortedPaths,
    definitions,
    securityDefinitions: SECURITY_V2,
    security: [{ BearerToken: [] }],
  };
}

// ---------------------------------------------------------------- caching

interface Cache {
  signature: string;
  resources: ResourceInfo[];
  v3?: Map<string, OpenAPIDocument>;
  index?: OpenAPIDocument;
  v2?: OpenAPIDocument;
  v2Object?: Json;
  v2Proto?: OpenAPIBinaryDocument;
}

let cache: Cache | undefined;
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 1;

function schemaId(schema: object | undefined): string {
  if (!schema) return '';
  let id = schemaIds.get(schema);
  if (!id) schemaIds.set(schema, (id = nextSchemaId++));
  return String(id);
}

function signature(resources: ResourceInfo[]): string {
  return resources.map((r) => [r.group, r.version, r.plural, r.kind, r.listKind, r.namespaced ? 1 : 0, r.verbs.join(','),
    r.subresources.join(','), r.definition ?? '', schemaId(r.crdSchema)].join('|')).join('\n');
}

function current(resources: ResourceInfo[]): Cache {
  const sig = signature(resources);
  if (!cache || cache.signature !== sig) cache = { signature: sig, resources: [...resources] };
  return cache;
}

/** Drops every cached document (call when custom resource definitions change). */
export function invalidateOpenAPIDocuments(): void {
  cache = undefined;
}

function serialize(doc: unknown): OpenAPIDocument {
  const body = JSON.stringify(doc);
  return { body, hash: contentHash(body) };
}

function v3Documents(c: Cache): Map<string, OpenAPIDocument> {
  if (!c.v3) {
    c.v3 = new Map();
    for (const m of buildModels(c.resources, false)) c.v3.set(groupVersionPath(m.group, m.version), serialize(v3Document(m)));
  }
  return c.v3;
}

// ---------------------------------------------------------------- public API

/** GET /openapi/v3: `{paths: {"apis/apps/v1": {serverRelativeURL: "/openapi/v3/apis/apps/v1?hash=…"}}}`. */
export function openAPIV3Index(resources: ResourceInfo[]): OpenAPIDocument {
  const c = current(resources);
  if (!c.index) {
    const paths: Json = {};
    for (const [gv, doc] of v3Documents(c)) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` };
    c.index = serialize({ paths });
  }
  return c.index;
}

/** GET /openapi/v3/<gvPath>, e.g. gvPath 'apis/apps/v1' or 'api/v1'; undefined when not served. */
export function openAPIV3Document(resources: ResourceInfo[], gvPath: string): OpenAPIDocument | undefined {
  return v3Documents(current(resources)).get(gvPath.replace(/^\/+|\/+$/g, ''));
}

/** The group-version paths the v3 index lists. */
export function openAPIV3GroupVersions(resources: ResourceInfo[]): string[] {
  return [...v3Documents(current(resources)).keys()];
}

function v2Object(c: Cache): Json {
  c.v2Object ??= v2Document(buildModels(c.resources, true));
  return c.v2Object;
}

/** GET /openapi/v2 as JSON. */
export function openAPIV2Document(resources: ResourceInfo[]): OpenAPIDocument {
  const c = current(resources);
  c.v2 ??= serialize(v2Object(c));
  return c.v2;
}

/** GET /openapi/v2 as application/com.github.proto-openapi.spec.v2@v1.0+protobuf (gnostic openapi_v2.Document). */
export function openAPIV2Protobuf(resources: ResourceInfo[]): OpenAPIBinaryDocument {
  const c = current(resources);
  if (!c.v2Proto) {
    const body = encodeOpenAPIV2(v2Object(c));
    c.v2Proto = { body, hash: contentHash(body) };
  }
  return c.v2Proto;
}
