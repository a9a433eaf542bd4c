// Checks of canopy.io NamespaceSync beyond its schema: what each direction needs, and an immutable spec.
import type { FieldError } from '../apiserver/errors.ts';
import type { ExtraValidator } from '../propagation/validation.ts';
import { dns1123Label, fieldForbidden, fieldInvalid, fieldRequired } from '../registry/validation.ts';
import { stableJson } from '../controllers/runtime.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

function validateNamespaceSyncSpec(spec: KObject): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.direction === 'FromCluster' && !spec.cluster) errors.push(fieldRequired('spec.cluster', 'FromCluster needs the cluster to read from'));
  if (spec.cluster) {
    for (const p of dns1123Label(spec.cluster)) errors.push(fieldInvalid('spec.cluster', spec.cluster, p));
  }
  const namespaces: string[] = spec.namespaces ?? [];
  if (spec.direction === 'Restart' && !namespaces.length) errors.push(fieldRequired('spec.namespaces', 'Restart needs the namespaces to restart'));
  namespaces.forEach((ns, i) => {
    for (const p of dns1123Label(ns)) errors.push(fieldInvalid(`spec.namespaces[${i}]`, ns, p));
  });
  return errors;
}

export const namespaceSyncValidator: ExtraValidator = {
  validate: (obj) => validateNamespaceSyncSpec(obj.spec ?? {}),
  validateUpdate: (obj, old) => stableJson(obj.spec) === stableJson(old.spec)
    ? [] : [fieldForbidden('spec', 'a NamespaceSync is one operation; create a new one instead of changing it')],
};
