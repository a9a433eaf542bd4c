// Admission of control-plane Namespaces: the homing-clusters annotation must name joined clusters, and a
// namespace whose injection labels Istio would read in a surprising way gets warnings.
import type { FieldError } from '../apiserver/errors.ts';
import type { KObject, ObjectService, WriteContext } from '../registry/objects.ts';
import { fieldInvalid } from '../registry/validation.ts';
import { HOMING_CLUSTERS_ANNOTATION, injectionState, parseHomingClusters } from './injection.ts';

const HOMING_FIELD = `metadata.annotations[${HOMING_CLUSTERS_ANNOTATION}]`;

export async function admitNamespace(objects: ObjectService, obj: KObject, old: KObject | undefined,
  ctx: WriteContext): Promise<FieldError[]> {
  ctx.warnings?.push(...injectionState(obj.metadata?.labels).warnings.map((w) => `namespace "${obj.metadata?.name}": ${w}`));
  const value: unknown = obj.metadata?.annotations?.[HOMING_CLUSTERS_ANNOTATION];
  // Checked when set or changed only: unjoining a cluster must not make its namespaces read-only.
  if (value === undefined || value === old?.metadata?.annotations?.[HOMING_CLUSTERS_ANNOTATION]) return [];
  const clusters = objects.registry.lookup('cluster.karmada.io', 'v1alpha1', 'clusters');
  if (!clusters) return []; // a member cluster: homing clusters mean nothing there
  const { clusters: names, problems } = parseHomingClusters(String(value));
  const errors = problems.map((p) => fieldInvalid(HOMING_FIELD, value, p));
  for (const name of names) {
    if (!await objects.tryGet(clusters, undefined, name)) {
      errors.push(fieldInvalid(HOMING_FIELD, value, `cluster "${name}" is not joined (kubectl get clusters lists the joined ones)`));
    }
  }
  return errors;
}
