// Custom resource schemas as the apiextensions-apiserver publishes them: the CRD's
// openAPIV3Schema plus apiVersion, kind and metadata, tagged with its GVK, and a list
// schema; for Swagger 2.0 additionally stripped of what kubectl's v2 reader cannot handle.
import type { JSONSchemaProps, ResourceInfo } from '../types.ts';
import { builtinSchema, SCHEMA_REF_PREFIX } from './schemas.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';
const OBJECT_META_DOC = `Standard object's metadata. More info: ${CONVENTIONS}#metadata`;
const LIST_META_DOC = `Standard list metadata. More info: ${CONVENTIONS}#types-kinds`;

/** 'stable.example.com', 'v1', 'CronTab' → 'com.example.stable.v1.CronTab'. */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return [group.split('.').reverse().join('.'), version, kind].join('.');
}

/** apiVersion and kind exactly as every built-in kind declares them. */
function typeMeta(): { apiVersion: JSONSchemaProps; kind: JSONSchemaProps } {
  const props = builtinSchema('io.k8s.api.apps.v1.Deployment')?.properties ?? {};
  return { apiVersion: { ...props.apiVersion }, kind: { ...props.kind } };
}

type Visitor = (s: JSONSchemaProps) => JSONSchemaProps;

/** Applies `fn` bottom-up to every sub-schema (properties, items, additionalProperties, junctors). */
function mapSchema(s: JSONSchemaProps, fn: Visitor): JSONSchemaProps {
  const out: JSONSchemaProps = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, mapSchema(v, fn)]));
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) out.items = mapSchema(s.items, fn);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = mapSchema(s.additionalProperties, fn);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) if (s[j]) out[j] = s[j]!.map((x) => mapSchema(x, fn));
  if (s.not) out.not = mapSchema(s.not, fn);
  return fn(out);
}

function ref(definition: string, description: string, v2: boolean): JSONSchemaProps {
  return v2 ? { $ref: '#/definitions/' + definition, description } : { allOf: [{ $ref: SCHEMA_REF_PREFIX + definition }], description };
}

/** Embedded resources get apiVersion, kind and metadata, with apiVersion and kind required. */
function addEmbedded(s: JSONSchemaProps, v2: boolean): JSONSchemaProps {
  if (s['x-kubernetes-embedded-resource'] !== true) return s;
  if (v2 && s['x-kubernetes-preserve-unknown-fields'] === true) return s;
  const tm = typeMeta();
  const required = [...(s.required ?? [])];
  for (const f of ['kind', 'apiVersion']) if (!required.includes(f)) required.push(f);
  return {
    ...s,
    properties: {
      ...s.properties,
      apiVersion: tm.apiVersion,
      kind: tm.kind,
      metadata: ref(OBJECT_META, OBJECT_META_DOC, v2),
    },
    required,
  };
}

/** int-or-string fields spelled out as anyOf integer/string (the structural schema "unfold"). */
function unfold(s: JSONSchemaProps): JSONSchemaProps {
  if (s['x-kubernetes-int-or-string'] === true && !s.anyOf && !s.allOf) return { ...s, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  return s;
}

const VALUE_VALIDATIONS = ['format', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required',
  'allOf', 'oneOf', 'anyOf', 'not'] as const;

/** What the v2 document publishes: no value validations, no nullable, nothing kubectl's v2 reader chokes on. */
function toV2(s: JSONSchemaProps): JSONSchemaProps {
  const out: JSONSchemaProps = { ...s };
  for (const k of VALUE_VALIDATIONS) delete out[k];
  delete out.nullable;
  delete out['x-kubernetes-validations'];
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.items;
    delete out.properties;
    if (out.type === 'object') delete out.type;
  }
  if (out.type === 'array' && !out.items) delete out.type;
  return out;
}

export interface CrdDefinitions {
  definition: string;
  listDefinition: string;
  schemas: Record<string, JSONSchemaProps>;
}

/** The object and list definitions of one custom resource version, for OpenAPI v3 or (v2=true) Swagger 2.0. */
export function crdDefinitions(r: ResourceInfo, v2 = false): CrdDefinitions {
  const definition = crdDefinitionName(r.group, r.version, r.kind);
  const listDefinition = crdDefinitionName(r.group, r.version, r.listKind);
  const gvk = (kind: string) => [{ group: r.group, kind, version: r.version }];
  const tm = typeMeta();

  let schema: JSONSchemaProps;
  const source = r.crdSchema;
  if (!source || (v2 && source['x-kubernetes-preserve-unknown-fields'] === true)) {
    schema = { type: 'object' };
  } else {
    schema = v2 ? mapSchema(mapSchema(source, (s) => addEmbedded(s, true)), toV2) : mapSchema(source, (s) => addEmbedded(unfold(s), false));
    schema = {
      ...schema,
      properties: { ...schema.properties, apiVersion: tm.apiVersion, kind: tm.kind, metadata: ref(OBJECT_META, OBJECT_META_DOC, v2) },
    };
  }
  schema['x-kubernetes-group-version-kind'] = gvk(r.kind);

  const itemRef = v2 ? '#/definitions/' + definition : SCHEMA_REF_PREFIX + definition;
  const list: JSONSchemaProps = {
    description: `${r.listKind} is a list of ${r.kind}`,
    required: ['items'],
    properties: {
      apiVersion: tm.apiVersion,
      items: { description: `List of ${r.plural}. More info: ${CONVENTIONS}`, type: 'array', items: { $ref: itemRef } },
      kind: tm.kind,
      metadata: ref(LIST_META, LIST_META_DOC, v2),
    },
    'x-kubernetes-group-version-kind': gvk(r.listKind),
  };
  return { definition, listDefinition, schemas: { [definition]: schema, [listDefinition]: list } };
}
