// Karmada's well-known label and annotation keys for policies, bindings and Works, and its naming of the
// objects it generates.
import { createHash } from 'node:crypto';

export const PP_PERMANENT_ID_LABEL = 'propagationpolicy.karmada.io/permanent-id';
export const PP_NAME_ANNOTATION = 'propagationpolicy.karmada.io/name';
export const PP_NAMESPACE_ANNOTATION = 'propagationpolicy.karmada.io/namespace';
export const CPP_PERMANENT_ID_LABEL = 'clusterpropagationpolicy.karmada.io/permanent-id';
export const CPP_NAME_ANNOTATION = 'clusterpropagationpolicy.karmada.io/name';

export const RB_PERMANENT_ID_LABEL = 'resourcebinding.karmada.io/permanent-id';
export const RB_NAME_ANNOTATION = 'resourcebinding.karmada.io/name';
export const RB_NAMESPACE_ANNOTATION = 'resourcebinding.karmada.io/namespace';
export const CRB_PERMANENT_ID_LABEL = 'clusterresourcebinding.karmada.io/permanent-id';
export const CRB_NAME_ANNOTATION = 'clusterresourcebinding.karmada.io/name';

export const TEMPLATE_UID_ANNOTATION = 'resourcetemplate.karmada.io/uid';
export const MANAGED_LABELS_ANNOTATION = 'resourcetemplate.karmada.io/managed-labels';
export const MANAGED_ANNOTATIONS_ANNOTATION = 'resourcetemplate.karmada.io/managed-annotations';
export const APPLIED_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-overrides';
export const APPLIED_CLUSTER_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-cluster-overrides';
export const APPLIED_PLACEMENT_ANNOTATION = 'policy.karmada.io/applied-placement';

/** The ResourceBinding/ClusterResourceBinding name of a template (upstream's GenerateBindingName). */
export function bindingName(kind: string, name: string): string {
  return `${name.replaceAll(':', '.')}-${kind}`.toLowerCase();
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The Work name of a template (upstream's GenerateWorkName: the name plus a short stable hash). */
export function workName(kind: string, name: string, namespace: string | undefined): string {
  const safe = name.replaceAll(':', '.');
  const full = (namespace ? `${namespace}-${safe}-${kind}` : `${safe}-${kind}`).toLowerCase();
  const hash = String(createHash('sha256').update(full).digest().readUInt32BE(0));
  const suffix = [...hash].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
  return `${safe}-${suffix}`;
}
