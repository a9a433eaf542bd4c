// How CustomResourceDefinitions and the custom resources they define are stored and validated.
import type { FieldError as ApiFieldError } from '../../apiserver/errors.ts';
import type { ObjectService } from '../objects.ts';
import { baseStrategy, type Strategy } from '../strategy.ts';
import type { JSONSchemaProps, ResourceInfo, TableColumn } from '../types.ts';
import type { FieldError } from './errors.ts';
import { applyDefaults, pruneUnknown, validateCustomResource } from './schema.ts';
import { defaultCRD, validateCRD, validateCRDUpdate } from './validation.ts';
import { policyValidators, type ExtraValidator } from '../../propagation/validation.ts';
import { namespaceSyncValidator } from '../../namespaces/validation.ts';

/** Extra validation of CRD-served kinds, by `${group}/${kind}`: what upstream's admission webhooks check. */
const extraValidators: Record<string, ExtraValidator> = { ...policyValidators, 'canopy.io/NamespaceSync': namespaceSyncValidator };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function toApiErrors(errors: FieldError[]): ApiFieldError[] {
  return errors.map((e) => ({
    type: e.type, field: e.field,
    detail: e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message,
  }));
}

/** The resources (one per served version) an established CRD contributes. */
export function resourcesOfCRD(crd: KObject): ResourceInfo[] {
  if (!crd?.spec?.names || !Array.isArray(crd.spec.versions)) return [];
  const names = crd.spec.names;
  return crd.spec.versions.filter((v: KObject) => v.served).map((v: KObject) => ({
    group: crd.spec.group,
    version: v.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular || String(names.kind).toLowerCase(),
    listKind: names.listKind || `${names.kind}List`,
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    subresources: [
      ...(v.subresources?.status ? ['status'] : []),
      ...(v.subresources?.scale ? ['scale'] : []),
    ],
    crdSchema: (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JSONSchemaProps,
    printerColumns: (v.additionalPrinterColumns ?? []).map((c: KObject): TableColumn => ({
      name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '',
      priority: c.priority ?? 0, jsonPath: c.jsonPath,
    })),
    storage: Boolean(v.storage),
  }));
}

/** Brings the registry in line with one CRD's stored state (undefined: deleted). */
export function syncCustomResources(service: ObjectService, name: string, crd: KObject | undefined): void {
  service.registry.setCustomResources(name, crd ? resourcesOfCRD(crd) : []);
}

export const crdStrategy: Strategy = {
  ...baseStrategy,
  prepareForCreate(obj) {
    obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
    delete obj.status;
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status;
  },
  defaults(obj) {
    defaultCRD(obj);
  },
  validate: (obj) => toApiErrors(validateCRD(obj)),
  validateUpdate: (obj, old) => toApiErrors(validateCRDUpdate(obj, old)),
  async afterWrite(service, _res, obj) {
    syncCustomResources(service, obj.metadata.name, obj);
  },
  async afterDelete(service, _res, obj) {
    syncCustomResources(service, obj.metadata.name, undefined);
  },
};

export const customResourceStrategy: Strategy = {
  ...baseStrategy,
  prepareForCreate(obj, res) {
    if (res.subresources.includes('status')) delete obj.status;
  },
  defaults() {},
  validate(obj, res) {
    if (!res.crdSchema) return [];
    const errors = toApiErrors(validateCustomResource(obj, res.crdSchema));
    return errors.length ? errors : extraValidators[`${res.group}/${res.kind}`]?.validate(obj) ?? [];
  },
  validateUpdate: (obj, old, res) => extraValidators[`${res.group}/${res.kind}`]?.validateUpdate(obj, old) ?? [],
};

/** Prunes unknown fields and applies schema defaults; returns the unknown field paths that were dropped. */
export function normalizeCustomResource(obj: KObject, res: ResourceInfo, options: { defaults?: boolean } = {}): { object: KObject; unknownFields: string[] } {
  if (!res.crdSchema) return { object: obj, unknownFields: [] };
  const { pruned, unknownFields } = pruneUnknown(obj, res.crdSchema);
  if (options.defaults !== false) applyDefaults(pruned, res.crdSchema);
  return { object: pruned, unknownFields };
}
