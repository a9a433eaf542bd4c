// CustomResourceDefinition (apiextensions.k8s.io/v1): upstream's create validation, defaulting and the
// status the naming and establishing controllers report.

import type { JSONSchemaProps } from '../types.ts';
import {
  child, fieldErr, goJSON, index, isDNS1035Label, isDNS1123Subdomain, key, nameIsDNSSubdomain,
  validateObjectMetaNames, type FieldError,
} from './errors.ts';
import { validateSchemaProps, validateStructural } from './structural.ts';

export interface CRDNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface PrinterColumn {
  name?: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
}

export interface CRDScale {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

export interface CRDVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, never> | object; scale?: CRDScale };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath?: string }[];
}

export interface CRDConversion {
  strategy?: string;
  webhook?: {
    clientConfig?: { url?: string; service?: { name?: string; namespace?: string; path?: string; port?: number }; caBundle?: string };
    conversionReviewVersions?: string[];
  };
}

export interface CRDCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CRDStatus {
  acceptedNames?: CRDNames;
  conditions?: CRDCondition[];
  storedVersions?: string[];
}

export interface CustomResourceDefinition {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: {
    group?: string;
    names?: CRDNames;
    scope?: string;
    versions?: CRDVersion[];
    conversion?: CRDConversion;
    preserveUnknownFields?: boolean;
  };
  status?: CRDStatus;
}

const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const ROOT_ALLOWED_WITH_STATUS = [
  'Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength',
  'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties',
  'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations',
];
const ROOT_ALLOWED_KEYS = new Set([
  'description', 'type', 'format', 'title', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength',
  'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'required', 'items', 'properties',
  'externalDocs', 'example', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations',
]);
const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';

/** ValidateCustomResourceDefinition (create). Returns upstream's field errors in upstream's order. */
export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const nameFn = (name: string, prefix: boolean) => {
    const errs = nameIsDNSSubdomain(name, prefix);
    if (name !== `${names.plural ?? ''}.${spec.group ?? ''}`) errs.push('must be spec.names.plural+"."+spec.group');
    return errs;
  };
  const errs = validateObjectMetaNames(crd.metadata, false, nameFn);
  errs.push(...validateSpec(spec));
  errs.push(...validateNames(crd.status?.acceptedNames ?? {}, 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd.status?.storedVersions ?? initialStoredVersions(spec.versions ?? []), spec.versions ?? []));
  errs.push(...validateAPIApproval(crd));
  if (spec.preserveUnknownFields === true) {
    errs.push(fieldErr.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

type CRDSpec = NonNullable<CustomResourceDefinition['spec']>;

/** ValidateCustomResourceDefinitionUpdate: create rules plus upstream's immutable fields. */
export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = validateCRD(crd);
  const immutable = (path: string, now: unknown, was: unknown) => {
    if (goJSON(now ?? null) !== goJSON(was ?? null)) errs.push(fieldErr.invalid(path, now ?? '', 'field is immutable'));
  };
  const established = (old.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  if (established) {
    immutable('spec.scope', crd.spec?.scope, old.spec?.scope);
    immutable('spec.names.kind', crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  immutable('spec.group', crd.spec?.group, old.spec?.group);
  immutable('spec.names.plural', crd.spec?.names?.plural, old.spec?.names?.plural);
  return errs;
}

function validateSpec(spec: CRDSpec): FieldError[] {
  const errs: FieldError[] = [];
  const versions = spec.versions ?? [];
  if (!spec.group) errs.push(fieldErr.required('spec.group'));
  else {
    const dns = isDNS1123Subdomain(spec.group);
    if (dns.length) errs.push(fieldErr.invalid('spec.group', spec.group, dns.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(fieldErr.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  errs.push(...enumString('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) errs.push(fieldErr.required(`spec.versions[${i}].schema.openAPIV3Schema`));
  });
  if (spec.preserveUnknownFields && versions.some((v) => v.schema?.openAPIV3Schema && hasDefaults(v.schema.openAPIV3Schema))) {
    errs.push(fieldErr.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  }
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const dns = isDNS1035Label(v.name ?? '');
    if (dns.length) errs.push(fieldErr.invalid(`spec.versions[${i}].name`, v.name ?? '', dns.join(',')));
    errs.push(...validateVersion(v, `spec.versions[${i}]`));
  });
  if (!unique) errs.push(fieldErr.invalid('spec.versions', versions, 'must contain unique version names'));
  if (versions.filter((v) => v.storage).length !== 1) {
    errs.push(fieldErr.invalid('spec.versions', versions.length ? versions : null, 'must have exactly one version marked as storage version'));
  }
  const names = spec.names ?? {};
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!names[f]) errs.push(fieldErr.required(`spec.names.${f}`));
  }
  errs.push(...validateNames(names, 'spec.names'));
  const conv = spec.conversion;
  if (conv && conv.strategy !== 'None' && spec.preserveUnknownFields) {
    errs.push(fieldErr.invalid('spec.conversion.strategy', conv.strategy ?? '', 'must be None if spec.preserveUnknownFields is true'));
  }
  errs.push(...validateConversion(conv));
  return errs;
}

function enumString(path: string, value: string | undefined, accepted: string[]): FieldError[] {
  if (!value) return [fieldErr.required(path)];
  return accepted.includes(value) ? [] : [fieldErr.notSupported(path, value, accepted)];
}

function validateVersion(v: CRDVersion, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const msg of deprecationWarningErrors(v)) errs.push(fieldErr.invalid(child(path, 'deprecationWarning'), v.deprecationWarning ?? null, msg));
  const schema = v.schema?.openAPIV3Schema;
  if (schema) errs.push(...validateVersionSchema(schema, child(path, 'schema'), v.subresources?.status !== undefined));
  errs.push(...validateSubresources(v.subresources, child(path, 'subresources')));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validatePrinterColumn(c, index(child(path, 'additionalPrinterColumns'), i))));
  (v.selectableFields ?? []).forEach((f, i) => {
    if (!f.jsonPath) errs.push(fieldErr.required(child(index(child(path, 'selectableFields'), i), 'jsonPath')));
  });
  return errs;
}

function deprecationWarningErrors(v: CRDVersion): string[] {
  const w = v.deprecationWarning;
  if (!v.deprecated && w !== undefined) return ['can only be set for deprecated versions'];
  if (w === undefined) return [];
  const errs: string[] = [];
  if (Buffer.byteLength(w) > 256) errs.push('must be <= 256 characters long');
  if (w.length === 0) errs.push('must not be an empty string');
  let i = 0;
  for (const ch of w) {
    if (/\p{Cc}/u.test(ch)) {
      errs.push(`must only contain printable UTF-8 characters; control character found at index ${i}`);
      break;
    }
    i += Buffer.byteLength(ch);
  }
  return errs;
}

function validateVersionSchema(schema: JSONSchemaProps, path: string, statusEnabled: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const root = child(path, 'openAPIV3Schema');
  if (statusEnabled) {
    if (schema.type !== undefined && schema.type !== '' && schema.type !== 'object') {
      errs.push(fieldErr.invalid(`${root}.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
    } else if (Object.entries(schema).some(([k, v]) => !ROOT_ALLOWED_KEYS.has(k) && !isZero(v))) {
      errs.push(fieldErr.invalid(root, schema, `only [${ROOT_ALLOWED_WITH_STATUS.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`));
    }
  }
  if (schema.nullable) errs.push(fieldErr.forbidden(`${root}.nullable`, 'nullable cannot be true at the root'));
  errs.push(...validateStructural(schema, root));
  errs.push(...validateSchemaProps(schema, root));
  return errs;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === '' || v === 0
    || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);
}

function hasDefaults(s: JSONSchemaProps | undefined): boolean {
  if (!s || typeof s !== 'object') return false;
  if (s.default !== undefined) return true;
  const subs: (JSONSchemaProps | undefined)[] = [
    ...Object.values(s.properties ?? {}), s.items, s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []),
    typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined,
  ];
  return subs.some(hasDefaults);
}

function validateSubresources(sub: CRDVersion['subresources'], path: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (field: keyof CRDScale, prefixes: string[], msg: string, required: boolean) => {
    const p = `${path}.scale.${field}`;
    const v = scale[field];
    if (!v) {
      if (required) errs.push(fieldErr.required(p));
      return;
    }
    const jp = simpleJSONPathErrors(v, p);
    if (jp.length) errs.push(...jp);
    else if (!prefixes.some((pre) => v.startsWith(pre))) errs.push(fieldErr.invalid(p, v, msg));
  };
  check('specReplicasPath', ['.spec.'], 'should be a json path under .spec', true);
  check('statusReplicasPath', ['.status.'], 'should be a json path under .status', true);
  check('labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status', false);
  return errs;
}

function simpleJSONPathErrors(s: string, path: string): FieldError[] {
  if (s.length === 0) return [fieldErr.invalid(path, s, 'must not be empty')];
  if (s[0] !== '.') return [fieldErr.invalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

function validatePrinterColumn(c: PrinterColumn, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErr.required(child(path, 'name')));
  const typesMsg = `must be one of ${PRINTER_TYPES.join(',')}`;
  if (!c.type) errs.push(fieldErr.required(child(path, 'type'), typesMsg));
  else if (!PRINTER_TYPES.includes(c.type)) errs.push(fieldErr.invalid(child(path, 'type'), c.type, typesMsg));
  if (c.format && !PRINTER_FORMATS.includes(c.format)) {
    errs.push(fieldErr.invalid(child(path, 'format'), c.format, `must be one of ${PRINTER_FORMATS.join(',')}`));
  }
  // upstream reports the internal field name here
  if (!c.jsonPath) errs.push(fieldErr.required(child(path, 'JSONPath')));
  else errs.push(...simpleJSONPathErrors(c.jsonPath, child(path, 'JSONPath')));
  return errs;
}

/** ValidateCustomResourceDefinitionNames (used for spec.names and status.acceptedNames). */
export function validateNames(names: CRDNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, v: string | undefined) => {
    const e = v ? isDNS1035Label(v) : [];
    if (e.length) errs.push(fieldErr.invalid(`${path}.${field}`, v, e.join(',')));
  };
  const kindLike = (field: string, v: string | undefined) => {
    const e = v ? isDNS1035Label(v.toLowerCase()) : [];
    if (e.length) errs.push(fieldErr.invalid(`${path}.${field}`, v, `may have mixed case, but should otherwise match: ${e.join(',')}`));
  };
  label('plural', names.plural);
  label('singular', names.singular);
  kindLike('kind', names.kind);
  kindLike('listKind', names.listKind);
  (names.shortNames ?? []).forEach((s, i) => {
    const e = isDNS1035Label(s);
    if (e.length) errs.push(fieldErr.invalid(`${path}.shortNames[${i}]`, s, e.join(',')));
  });
  if (names.kind && names.kind === names.listKind) {
    errs.push(fieldErr.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  }
  (names.categories ?? []).forEach((c, i) => {
    const e = isDNS1035Label(c);
    if (e.length) errs.push(fieldErr.invalid(`${path}.categories[${i}]`, c, e.join(',')));
  });
  return errs;
}

function validateConversion(conv: CRDConversion | undefined): FieldError[] {
  if (!conv) return [];
  const path = 'spec.conversion';
  const errs = enumString(`${path}.strategy`, conv.strategy, ['None', 'Webhook']);
  const cc = conv.webhook?.clientConfig;
  const reviewVersions = conv.webhook?.conversionReviewVersions ?? [];
  if (conv.strategy === 'Webhook') {
    if (!cc) errs.push(fieldErr.required(`${path}.webhookClientConfig`, 'required when strategy is set to Webhook'));
    else if ((cc.url === undefined) === (cc.service === undefined)) {
      errs.push(fieldErr.required(`${path}.webhookClientConfig`, 'exactly one of url or service is required'));
    }
    const vpath = `${path}.conversionReviewVersions`;
    if (reviewVersions.length === 0) errs.push(fieldErr.required(vpath));
    else {
      const seen = new Set<string>();
      reviewVersions.forEach((v, i) => {
        if (seen.has(v)) {
          errs.push(fieldErr.invalid(index(vpath, i), v, 'duplicate version'));
          return;
        }
        seen.add(v);
        for (const e of isDNS1035Label(v)) errs.push(fieldErr.invalid(index(vpath, i), v, e));
      });
      if (!reviewVersions.some((v) => v === 'v1' || v === 'v1beta1')) {
        errs.push(fieldErr.invalid(vpath, reviewVersions, 'must include at least one of v1, v1beta1'));
      }
    }
  } else {
    if (cc) errs.push(fieldErr.forbidden(`${path}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions.length) errs.push(fieldErr.forbidden(`${path}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function initialStoredVersions(versions: CRDVersion[]): string[] {
  const storage = versions.find((v) => v.storage);
  return storage ? [storage.name] : [];
}

function validateStoredVersions(stored: string[], versions: CRDVersion[]): FieldError[] {
  const path = 'status.storedVersions';
  if (stored.length === 0) return [fieldErr.invalid(path, null, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of versions) {
    if (v.storage && !remaining.has(v.name)) errs.push(fieldErr.invalid(path, stored, `must have the storage version ${v.name}`));
    remaining.delete(v.name);
  }
  for (const [v, i] of remaining) {
    errs.push(fieldErr.invalid(index(path, i), v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return errs;
}

function validateAPIApproval(crd: CustomResourceDefinition): FieldError[] {
  const group = crd.spec?.group ?? '';
  const isProtected = ['k8s.io', 'kubernetes.io'].some((d) => group === d || group.endsWith(`.${d}`));
  if (!isProtected) return [];
  const path = key('metadata.annotations', APPROVAL_ANNOTATION);
  const value = crd.metadata?.annotations?.[APPROVAL_ANNOTATION];
  if (value === undefined) {
    return [fieldErr.required(path, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  }
  if (value.startsWith('unapproved')) return [];
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return [];
  } catch { /* fall through */ }
  return [fieldErr.invalid(path, value, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`)];
}

// ---- defaulting & status ----

/**
 * SetDefaults_CustomResourceDefinition (v1) plus PrepareForCreate's status.storedVersions. Mutates
 * `crd` and returns it.
 */
export function defaultCRD<T extends CustomResourceDefinition>(crd: T): T {
  const out = crd;
  out.spec ??= {};
  const names = (out.spec.names ??= {});
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  out.spec.conversion ??= { strategy: 'None' };
  const service = out.spec.conversion.webhook?.clientConfig?.service;
  if (service && service.port === undefined) service.port = 443;
  out.status ??= {};
  if (!out.status.storedVersions?.length) out.status.storedVersions = initialStoredVersions(out.spec.versions ?? []);
  return out;
}

/**
 * The status the naming controller and the establishing controller settle on: accepted names (each
 * requested name unless another CRD of the group already accepted it), NamesAccepted and Established.
 * `others` are the other CRDs (any group; only same-group ones matter).
 */
export function crdStatus(crd: CustomResourceDefinition, others: CustomResourceDefinition[], now = new Date().toISOString()): CRDStatus {
  const group = crd.spec?.group;
  const usedResources = new Set<string>();
  const usedKinds = new Set<string>();
  for (const o of others) {
    if (o.spec?.group !== group || o.metadata?.name === crd.metadata?.name) continue;
    const a = o.status?.acceptedNames ?? {};
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) if (n) usedResources.add(n);
    for (const n of [a.kind, a.listKind]) if (n) usedKinds.add(n);
  }
  const requested = crd.spec?.names ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const names: CRDNames = { ...accepted };
  let reason = '';
  let message = '';
  const conflict = (r: string, m: string) => {
    reason = r;
    message = m;
  };
  const fresh = (req: string | undefined, acc: string | undefined, used: Set<string>) =>
    req === acc || !used.has(req ?? '') ? null : `"${req}" is already in use`;

  let err = fresh(requested.plural, accepted.plural, usedResources);
  if (err) conflict('PluralConflict', err); else names.plural = requested.plural;
  err = fresh(requested.singular, accepted.singular, usedResources);
  if (err) conflict('SingularConflict', err); else names.singular = requested.singular;
  if (goJSON(requested.shortNames ?? null) !== goJSON(accepted.shortNames ?? null)) {
    const mine = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? []).filter((s) => !mine.has(s)).map((s) => fresh(s, '', usedResources)).filter((e): e is string => !!e);
    if (errs.length) conflict('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else names.shortNames = requested.shortNames;
  }
  err = fresh(requested.kind, accepted.kind, usedKinds);
  if (err) conflict('KindConflict', err); else names.kind = requested.kind;
  err = fresh(requested.listKind, accepted.listKind, usedKinds);
  if (err) conflict('ListKindConflict', err); else names.listKind = requested.listKind;
  names.categories = requested.categories;
  for (const k of Object.keys(names) as (keyof CRDNames)[]) if (names[k] === undefined) delete names[k];

  const old = crd.status?.conditions ?? [];
  const keepTime = (c: CRDCondition): CRDCondition => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime ?? now : now };
  };
  const namesAccepted: CRDCondition = reason
    ? { type: 'NamesAccepted', status: 'False', reason, message }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const prevEstablished = old.find((c) => c.type === 'Established');
  let established: CRDCondition;
  if (prevEstablished?.status === 'True') established = prevEstablished;
  else if (namesAccepted.status === 'True') {
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  } else {
    established = prevEstablished ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  }
  const conditions = [
    ...old.filter((c) => c.type !== 'NamesAccepted' && c.type !== 'Established'),
    keepTime(namesAccepted),
    keepTime(established),
  ];
  const storedVersions = crd.status?.storedVersions?.length ? crd.status.storedVersions : initialStoredVersions(crd.spec?.versions ?? []);
  return { acceptedNames: names, conditions, storedVersions };
}
