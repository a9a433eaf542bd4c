// The checks of Karmada's validating admission webhooks for the policy.karmada.io policies (pkg/webhook/*policy and
// pkg/util/validation), as field errors. They run after a CRD-served object passed its schema, as webhooks do.
import type { FieldError } from '../apiserver/errors.ts';
import { fieldInvalid, fieldNotSupported, qualifiedName, validateAnnotations, validateLabels } from '../registry/validation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

export interface ExtraValidator {
  validate(obj: KObject): FieldError[];
  /** Only what an update adds; validate runs on updates too. */
  validateUpdate(obj: KObject, old: KObject): FieldError[];
}

const PP_PERMANENT_ID = 'propagationpolicy.karmada.io/permanent-id';
const CPP_PERMANENT_ID = 'clusterpropagationpolicy.karmada.io/permanent-id';

/** The policy.karmada.io webhook checks, by `${group}/${kind}`. */
export const policyValidators: Record<string, ExtraValidator> = {
  'policy.karmada.io/PropagationPolicy': {
    validate: (obj) => validatePropagationSpec(obj.spec ?? {}, obj.metadata?.namespace ?? ''),
    validateUpdate: (obj, old) => validatePropagationUpdate(obj, old, PP_PERMANENT_ID),
  },
  'policy.karmada.io/ClusterPropagationPolicy': {
    validate: (obj) => validatePropagationSpec(obj.spec ?? {}, ''),
    validateUpdate: (obj, old) => validatePropagationUpdate(obj, old, CPP_PERMANENT_ID),
  },
  'policy.karmada.io/OverridePolicy': {
    validate: (obj) => validateOverrideSpec(obj.spec ?? {}, obj.metadata?.namespace ?? ''),
    validateUpdate: () => [],
  },
  'policy.karmada.io/ClusterOverridePolicy': {
    validate: (obj) => validateOverrideSpec(obj.spec ?? {}, ''),
    validateUpdate: () => [],
  },
};

const JSON_POINTER_START = 'JSON pointer must be empty or start with a "/';

function isJsonPointer(path: unknown): boolean {
  return typeof path === 'string' && (path === '' || path.startsWith('/'));
}

function list(value: unknown): KObject[] {
  return Array.isArray(value) ? value : [];
}

// ---- PropagationPolicy and ClusterPropagationPolicy

function validatePropagationUpdate(obj: KObject, old: KObject, idLabel: string): FieldError[] {
  const errors: FieldError[] = [];
  if ((obj.spec?.schedulerName ?? '') !== (old.spec?.schedulerName ?? '')) {
    errors.push(fieldInvalid('spec.schedulerName', obj.spec?.schedulerName ?? '', 'the schedulerName should not be updated'));
  }
  // Upstream's mutating webhook sets the label at creation; here the resource detector adds it later, so only a change
  // of a set value is refused.
  const before: string | undefined = old.metadata?.labels?.[idLabel];
  const after: string | undefined = obj.metadata?.labels?.[idLabel];
  if (before !== undefined && after !== before) {
    errors.push(fieldInvalid(`metadata.labels[${idLabel}]`, after ?? '',
      `label ${idLabel} is immutable, it can only be set by the system during creation`));
  }
  return errors;
}

function validatePropagationSpec(spec: KObject, namespace: string): FieldError[] {
  const errors = validatePlacement(spec.placement ?? {}, 'spec.placement');
  if (spec.failover?.application && !spec.propagateDeps) {
    errors.push(fieldInvalid('spec.propagateDeps', spec.propagateDeps ?? false,
      'application failover is set, propagateDeps must be true'));
  }
  errors.push(...validateFailover(spec.failover, 'spec.failover'));
  list(spec.resourceSelectors).forEach((selector, i) => {
    if (spec.preemption === 'Always' && !selector.name) {
      errors.push(fieldInvalid(`spec.resourceSelectors[${i}].name`, selector.name ?? '',
        'name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption'));
    }
  });
  errors.push(...validateSelectorNamespaces(spec.resourceSelectors, namespace));
  const suspension = spec.suspension;
  if (suspension?.dispatching === true && list(suspension.dispatchingOnClusters?.clusterNames).length > 0) {
    errors.push(fieldInvalid('spec.suspension', suspension,
      'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames'));
  }
  return errors;
}

/** A namespaced policy selects resources of its own namespace only. */
function validateSelectorNamespaces(selectors: unknown, namespace: string): FieldError[] {
  if (!namespace) return [];
  return list(selectors).flatMap((selector, i) => (selector.namespace && selector.namespace !== namespace
    ? [fieldInvalid(`spec.resourceSelectors[${i}].namespace`, selector.namespace,
      'namespace of resource selector must be equal to the namespace of the policy')]
    : []));
}

function validatePlacement(placement: KObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (placement.clusterAffinity && placement.clusterAffinities) {
    errors.push(fieldInvalid(path, placement, 'clusterAffinities cannot co-exist with clusterAffinity'));
  }
  errors.push(...validateClusterAffinity(placement.clusterAffinity, `${path}.clusterAffinity`));
  errors.push(...validateClusterAffinities(list(placement.clusterAffinities), `${path}.clusterAffinities`));
  errors.push(...validateSpreadConstraints(list(placement.spreadConstraints), `${path}.spreadConstraints`));
  list(placement.clusterTolerations).forEach((toleration, i) => {
    if (toleration.operator && !['Equal', 'Exists'].includes(toleration.operator)) {
      errors.push(fieldNotSupported(`${path}.clusterTolerations[${i}].operator`, toleration.operator, ['Equal', 'Exists']));
    }
  });
  return errors;
}

function validateClusterAffinity(affinity: KObject | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const message = fieldSelectorError(affinity.fieldSelector);
  return message ? [fieldInvalid(`${path}.fieldSelector`, affinity.fieldSelector, message)] : [];
}

/** Cluster field selectors know provider, region and zone, with In and NotIn; the first offence is reported. */
function fieldSelectorError(selector: KObject | undefined): string | undefined {
  for (const expression of list(selector?.matchExpressions)) {
    if (!['provider', 'region', 'zone'].includes(expression.key)) {
      return `unsupported key ${JSON.stringify(expression.key ?? '')}, must be provider, region, or zone`;
    }
    if (!['In', 'NotIn'].includes(expression.operator)) {
      return `unsupported operator ${JSON.stringify(expression.operator ?? '')}, must be In or NotIn`;
    }
  }
  return undefined;
}

function validateClusterAffinities(terms: KObject[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  terms.forEach((term, i) => {
    const name: string = term.affinityName ?? '';
    for (const message of qualifiedName(name)) errors.push(fieldInvalid(`${path}[${i}]`, name, message));
    if (names.has(name)) errors.push(fieldInvalid(path, terms, 'each affinity term in a policy must have a unique name'));
    names.add(name);
    errors.push(...validateClusterAffinity(term, `${path}[${i}]`));
  });
  return errors;
}

function validateSpreadConstraints(constraints: KObject[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  // Each spreadByField seen, and whether its repetition was reported already.
  const fields = new Map<string, boolean>();
  constraints.forEach((constraint, i) => {
    const min: number = constraint.minGroups ?? 0;
    const max: number = constraint.maxGroups ?? 0;
    const at = `${path}[${i}]`;
    if (constraint.spreadByField && constraint.spreadByLabel) {
      errors.push(fieldInvalid(at, constraint, 'spreadByLabel should not co-exist with spreadByField'));
    }
    if (min < 0) errors.push(fieldInvalid(at, constraint, 'minGroups lower than 0 is not allowed'));
    if (max < 0) errors.push(fieldInvalid(at, constraint, 'maxGroups lower than 0 is not allowed'));
    if (max > 0 && max < min) errors.push(fieldInvalid(at, constraint, 'maxGroups lower than minGroups is not allowed'));
    const field: string | undefined = constraint.spreadByField;
    if (!field) return;
    if (fields.get(field) === false) {
      errors.push(fieldInvalid(path, constraints, `multiple ${field} spread constraints are not allowed`));
      fields.set(field, true);
    } else if (!fields.has(field)) {
      fields.set(field, false);
    }
  });
  if (fields.size > 0 && !fields.has('cluster')) {
    errors.push(fieldInvalid(path, constraints,
      'the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled'));
  }
  return errors;
}

function validateFailover(failover: KObject | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const application = failover?.application;
  if (application) {
    const at = `${path}.application`;
    const toleration = application.decisionConditions?.tolerationSeconds;
    if (typeof toleration === 'number' && toleration < 0) {
      errors.push(fieldInvalid(`${at}.decisionConditions.tolerationSeconds`, toleration, 'must be greater than or equal to 0'));
    }
    const grace = application.gracePeriodSeconds;
    const graceful = ['Gracefully', 'Graciously'].includes(application.purgeMode);
    if (typeof grace === 'number' && !graceful) {
      errors.push(fieldInvalid(`${at}.gracePeriodSeconds`, grace, 'only takes effect when purgeMode is gracefully'));
    }
    if (typeof grace === 'number' && grace <= 0) {
      errors.push(fieldInvalid(`${at}.gracePeriodSeconds`, grace, 'must be greater than 0'));
    }
    errors.push(...validateStatePreservation(application.statePreservation, `${at}.statePreservation`));
  }
  if (failover?.cluster) {
    errors.push(...validateStatePreservation(failover.cluster.statePreservation, `${path}.cluster.statePreservation`));
  }
  return errors;
}

function validateStatePreservation(preservation: KObject | undefined, path: string): FieldError[] {
  return list(preservation?.rules).flatMap((rule, i) => qualifiedName(rule.aliasLabelName ?? '')
    .map((message) => fieldInvalid(`${path}.rules[${i}].aliasLabelName`, rule.aliasLabelName ?? '', message)));
}

// ---- OverridePolicy and ClusterOverridePolicy

const OVERRIDER_KINDS = ['plaintext', 'imageOverrider', 'commandOverrider', 'argsOverrider', 'labelsOverrider',
  'annotationsOverrider', 'fieldOverrider'];

function validateOverrideSpec(spec: KObject, namespace: string): FieldError[] {
  const errors: FieldError[] = [];
  const hasRules = spec.overrideRules !== undefined && spec.overrideRules !== null;
  if (spec.targetCluster) {
    errors.push(...validateClusterAffinity(spec.targetCluster, 'spec.targetCluster'));
    if (hasRules) {
      errors.push(fieldInvalid('spec.targetCluster', spec.targetCluster, "overrideRules and targetCluster can't co-exist"));
    }
  }
  if (hasRules && OVERRIDER_KINDS.some((k) => list(spec.overriders?.[k]).length > 0)) {
    errors.push(fieldInvalid('spec.overriders', spec.overriders, "overrideRules and overriders can't co-exist"));
  }
  list(spec.overrideRules).forEach((rule, i) => errors.push(...validateOverrideRule(rule, `spec.overrideRules[${i}]`)));
  errors.push(...validateSelectorNamespaces(spec.resourceSelectors, namespace));
  return errors;
}

function validateOverrideRule(rule: KObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const overriders = rule.overriders ?? {};
  const at = `${path}.overriders`;
  list(overriders.annotationsOverrider).forEach((o, i) => {
    errors.push(...validateAnnotations(o.value, `${at}.annotationsOverrider[${i}].value`));
  });
  list(overriders.labelsOverrider).forEach((o, i) => {
    errors.push(...validateLabels(o.value, `${at}.labelsOverrider[${i}].value`));
  });
  list(overriders.imageOverrider).forEach((o, i) => {
    if (o.predicate && !isJsonPointer(o.predicate.path)) {
      errors.push(fieldInvalid(`${at}.imageOverrider[${i}].predicate.path`, o.predicate.path, JSON_POINTER_START));
    }
  });
  // Beyond upstream, which accepts such a path and fails when applying the policy.
  list(overriders.plaintext).forEach((o, i) => {
    if (!isJsonPointer(o.path)) errors.push(fieldInvalid(`${at}.plaintext[${i}].path`, o.path, JSON_POINTER_START));
  });
  list(overriders.fieldOverrider).forEach((o, i) => errors.push(...validateFieldOverrider(o, `${at}.fieldOverrider[${i}]`)));
  errors.push(...validateClusterAffinity(rule.targetCluster, `${path}.targetCluster`));
  return errors;
}

function validateFieldOverrider(overrider: KObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const yaml = list(overrider.yaml);
  const json = list(overrider.json);
  if (yaml.length > 0 && json.length > 0) {
    errors.push(fieldInvalid(path, overrider, 'FieldOverrider has both YAML and JSON set. Only one is allowed'));
  } else if (yaml.length === 0 && json.length === 0) {
    errors.push(fieldInvalid(path, overrider, 'FieldOverrider must have either YAML or JSON set'));
  }
  if (!isJsonPointer(overrider.fieldPath)) {
    errors.push(fieldInvalid(`${path}.fieldPath`, overrider.fieldPath, JSON_POINTER_START));
  }
  for (const [kind, operations] of [['json', json], ['yaml', yaml]] as const) {
    operations.forEach((operation, i) => {
      const at = `${path}.${kind}[${i}]`;
      if (!isJsonPointer(operation.subPath)) errors.push(fieldInvalid(`${at}.subPath`, operation.subPath, JSON_POINTER_START));
      const hasValue = operation.value !== undefined;
      if ((operation.operator === 'add' || operation.operator === 'replace') && !hasValue) {
        errors.push(fieldInvalid(`${at}.value`, null, 'value is required for add or replace operation'));
      } else if (operation.operator === 'remove' && hasValue) {
        errors.push(fieldInvalid(`${at}.value`, operation.value, 'value is not allowed for remove operation'));
      }
    });
  }
  return errors;
}
