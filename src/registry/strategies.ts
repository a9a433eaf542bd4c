// Kind-specific behaviour: defaulting, validation, and the hooks upstream's registry strategies have.
import type { FieldError } from '../apiserver/errors.ts';
import type { ResourceInfo } from './types.ts';
import { baseStrategy, type Strategy } from './strategy.ts';
import {
  dns1035Label, dns1123Label, fieldDuplicate, fieldImmutable, fieldInvalid, fieldForbidden, fieldRequired,
  fieldNotSupported, pathSegmentName,
} from './validation.ts';
import { customResourceStrategy, crdStrategy } from './crd/strategies.ts';
import { admitNamespace } from '../namespaces/admission.ts';
import { certificateSigningRequestStrategy } from '../certificates/csr.ts';

/** The label the API server gives every Namespace: its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export type { Strategy };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

function strategy(overrides: Partial<Strategy>): Strategy {
  return { ...baseStrategy, ...overrides };
}

function setDefault(obj: KObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function defaultContainer(c: KObject): void {
  if (!c || typeof c !== 'object') return;
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (typeof c.image === 'string') {
    const tagged = /:[^/]+$/.test(c.image.split('@')[0]) && !c.image.endsWith(':latest');
    setDefault(c, 'imagePullPolicy', tagged || c.image.includes('@') ? 'IfNotPresent' : 'Always');
  }
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports)) for (const p of c.ports) if (p && typeof p === 'object') setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: KObject | undefined, restartPolicy: string | undefined = 'Always'): void {
  if (!spec || typeof spec !== 'object') return;
  if (restartPolicy) setDefault(spec, 'restartPolicy', restartPolicy);
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(spec[list])) for (const c of spec[list]) defaultContainer(c);
  }
}

function validatePodSpec(spec: KObject | undefined, field: string): FieldError[] {
  if (!spec || typeof spec !== 'object') return [fieldRequired(field)];
  const errors: FieldError[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) errors.push(fieldRequired(`${field}.containers`));
  else {
    const names = new Set<string>();
    spec.containers.forEach((c: KObject, i: number) => {
      const f = `${field}.containers[${i}]`;
      if (!c?.name) errors.push(fieldRequired(`${f}.name`));
      else {
        for (const m of dns1123Label(c.name)) errors.push(fieldInvalid(`${f}.name`, c.name, m));
        if (names.has(c.name)) errors.push(fieldDuplicate(`${f}.name`, c.name));
        names.add(c.name);
      }
      if (!c?.image) errors.push(fieldRequired(`${f}.image`));
    });
  }
  return errors;
}

function selectorMatchesTemplate(obj: KObject): FieldError[] {
  const selector = obj.spec?.selector;
  if (!selector) return [fieldRequired('spec.selector')];
  const labels: Record<string, string> = obj.spec?.template?.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  if (!selector.matchLabels && !selector.matchExpressions) {
    return [fieldInvalid('spec.selector', selector, 'empty selector is invalid for deployment')];
  }
  const ok = Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
  return ok ? [] : [fieldInvalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`')];
}

function immutableSelector(obj: KObject, old: KObject): FieldError[] {
  return JSON.stringify(obj.spec?.selector) === JSON.stringify(old.spec?.selector) ? [] : [fieldImmutable('spec.selector', obj.spec?.selector)];
}

function workload(defaults: (spec: KObject) => void, needsTemplateLabels = true): Strategy {
  return strategy({
    prepareForCreate(obj) { obj.status = {}; },
    defaults(obj) {
      obj.spec ??= {};
      defaults(obj.spec);
      defaultPodSpec(obj.spec.template?.spec);
    },
    validate(obj) {
      return [
        ...(needsTemplateLabels ? selectorMatchesTemplate(obj) : []),
        ...validatePodSpec(obj.spec?.template?.spec, 'spec.template.spec'),
        ...nonNegative(obj.spec?.replicas, 'spec.replicas'),
      ];
    },
    validateUpdate: immutableSelector,
  });
}

function nonNegative(value: unknown, field: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || value < 0) return [fieldInvalid(field, value, 'must be greater than or equal to 0')];
  return [];
}

function immutableData(obj: KObject, old: KObject): FieldError[] {
  if (old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (obj.immutable !== true) errors.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of ['data', 'binaryData', 'stringData']) {
    if (JSON.stringify(obj[field] ?? {}) !== JSON.stringify(old[field] ?? {})) {
      errors.push(fieldForbidden(field, 'field is immutable when `immutable` is set'));
    }
  }
  return errors;
}

/** A Secret's stringData is write-only: its entries land in data (base64), overriding the same keys there. */
function mergeStringData(obj: KObject): void {
  if (obj.stringData === undefined) return;
  for (const [key, value] of Object.entries(obj.stringData ?? {})) {
    (obj.data ??= {})[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  delete obj.stringData;
}

function randomClusterIP(): string {
  const n = Math.floor(Math.random() * (1 << 20)) + 1;
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

const namespaceStrategy = strategy({
  nameRule: dns1123Label,
  prepareForCreate(obj) {
    obj.spec = { ...obj.spec, finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  },
  prepareForUpdate(obj, old) {
    obj.spec = old.spec;
  },
  defaults(obj) {
    obj.metadata.labels = { ...obj.metadata.labels, [NAMESPACE_NAME_LABEL]: obj.metadata.name };
  },
  selectableFields: { 'status.phase': 'status.phase' },
  prepareForDelete(obj) {
    obj.status = { ...obj.status, phase: 'Terminating' };
    return true;
  },
  isFinalized: (obj) => !obj.metadata.finalizers?.length && !obj.spec?.finalizers?.length,
  admit: admitNamespace,
});

const serviceStrategy = strategy({
  nameRule: dns1035Label,
  prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
  // As upstream (patchAllocatedValues), an update that leaves the allocated cluster IPs out keeps them.
  prepareForUpdate(obj, old) {
    const spec = (obj.spec ??= {});
    if (spec.type === 'ExternalName' || old.spec?.type === 'ExternalName') return;
    if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs?.length && old.spec?.clusterIPs?.length && spec.clusterIP === old.spec.clusterIP) spec.clusterIPs = old.spec.clusterIPs;
  },
  defaults(obj) {
    const spec = (obj.spec ??= {});
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.type !== 'ExternalName') {
      setDefault(spec, 'clusterIP', randomClusterIP());
      setDefault(spec, 'clusterIPs', [spec.clusterIP]);
      setDefault(spec, 'ipFamilies', ['IPv4']);
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    }
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!p || typeof p !== 'object') continue;
        setDefault(p, 'protocol', 'TCP');
        setDefault(p, 'targetPort', p.port);
      }
    }
  },
  validate(obj) {
    const errors: FieldError[] = [];
    const type = obj.spec?.type;
    if (!SERVICE_TYPES.includes(type)) errors.push(fieldNotSupported('spec.type', type, SERVICE_TYPES));
    if (type !== 'ExternalName' && !obj.spec?.ports?.length && obj.spec?.clusterIP !== 'None') errors.push(fieldRequired('spec.ports'));
    (obj.spec?.ports ?? []).forEach((p: KObject, i: number) => {
      if (typeof p?.port !== 'number' || p.port < 1 || p.port > 65535) {
        errors.push(fieldInvalid(`spec.ports[${i}].port`, p?.port ?? 0, 'must be between 1 and 65535, inclusive'));
      }
    });
    return errors;
  },
  validateUpdate(obj, old) {
    const was = old.spec?.clusterIP;
    return was && obj.spec?.clusterIP !== was ? [fieldImmutable('spec.clusterIPs[0]', obj.spec?.clusterIP ?? '')] : [];
  },
});

const podStrategy = strategy({
  prepareForCreate(obj) { obj.status = { phase: 'Pending', qosClass: 'BestEffort' }; },
  defaults(obj) { defaultPodSpec(obj.spec); },
  validate: (obj) => validatePodSpec(obj.spec, 'spec'),
  selectableFields: Object.fromEntries(['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
    'status.phase', 'status.podIP', 'status.nominatedNodeName'].map((f) => [f, f])),
});

const eventStrategy = strategy({
  allowCreateOnUpdate: true,
  selectableFields: {
    ...Object.fromEntries(['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent',
      'type'].map((f) => [f, f])),
    source: 'source.component',
  },
});

const STRATEGIES: Record<string, Strategy> = {
  '/Namespace': namespaceStrategy,
  '/Service': serviceStrategy,
  '/Pod': podStrategy,
  '/Event': eventStrategy,
  '/Endpoints': strategy({ allowCreateOnUpdate: true }),
  '/ConfigMap': strategy({ validateUpdate: immutableData }),
  '/Secret': strategy({
    prepareForCreate: mergeStringData,
    prepareForUpdate: mergeStringData,
    defaults(obj) { setDefault(obj, 'type', 'Opaque'); },
    validateUpdate: (obj, old) => [...immutableData(obj, old), ...(obj.type !== old.type ? [fieldImmutable('type', obj.type)] : [])],
    selectableFields: { type: 'type' },
  }),
  '/Node': strategy({ prepareForCreate(obj) { obj.status ??= {}; } }),
  'apps/Deployment': workload((spec) => {
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'strategy', {});
    setDefault(spec.strategy, 'type', 'RollingUpdate');
    if (spec.strategy.type === 'RollingUpdate') {
      setDefault(spec.strategy, 'rollingUpdate', {});
      setDefault(spec.strategy.rollingUpdate, 'maxUnavailable', '25%');
      setDefault(spec.strategy.rollingUpdate, 'maxSurge', '25%');
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
  }),
  'apps/StatefulSet': workload((spec) => {
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', {});
    setDefault(spec.updateStrategy, 'type', 'RollingUpdate');
    if (spec.updateStrategy.type === 'RollingUpdate') {
      setDefault(spec.updateStrategy, 'rollingUpdate', {});
      setDefault(spec.updateStrategy.rollingUpdate, 'partition', 0);
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
  }),
  'apps/DaemonSet': workload((spec) => {
    setDefault(spec, 'updateStrategy', {});
    setDefault(spec.updateStrategy, 'type', 'RollingUpdate');
    if (spec.updateStrategy.type === 'RollingUpdate') {
      setDefault(spec.updateStrategy, 'rollingUpdate', {});
      setDefault(spec.updateStrategy.rollingUpdate, 'maxUnavailable', 1);
      setDefault(spec.updateStrategy.rollingUpdate, 'maxSurge', 0);
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
  }),
  'apps/ReplicaSet': workload((spec) => setDefault(spec, 'replicas', 1)),
  'batch/Job': strategy({
    prepareForCreate(obj) { obj.status = {}; },
    defaults(obj) {
      const spec = (obj.spec ??= {});
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'completions', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      defaultPodSpec(spec.template?.spec, undefined);
    },
    validate(obj) {
      const errors = validatePodSpec(obj.spec?.template?.spec, 'spec.template.spec');
      const policy = obj.spec?.template?.spec?.restartPolicy;
      if (!['OnFailure', 'Never'].includes(policy)) {
        errors.push(fieldNotSupported('spec.template.spec.restartPolicy', policy ?? '', ['OnFailure', 'Never']));
      }
      return errors;
    },
    validateUpdate(obj, old) {
      return JSON.stringify(obj.spec?.template) === JSON.stringify(old.spec?.template) ? [] : [fieldImmutable('spec.template', obj.spec?.template)];
    },
  }),
  'batch/CronJob': strategy({
    prepareForCreate(obj) { obj.status = {}; },
    defaults(obj) {
      const spec = (obj.spec ??= {});
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      defaultPodSpec(spec.jobTemplate?.spec?.template?.spec, undefined);
    },
    validate: (obj) => (obj.spec?.schedule ? [] : [fieldRequired('spec.schedule')]),
  }),
  'rbac.authorization.k8s.io/Role': strategy({ nameRule: pathSegmentName }),
  'rbac.authorization.k8s.io/ClusterRole': strategy({ nameRule: pathSegmentName }),
  'rbac.authorization.k8s.io/RoleBinding': strategy({ nameRule: pathSegmentName }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': strategy({ nameRule: pathSegmentName }),
  'apiextensions.k8s.io/CustomResourceDefinition': crdStrategy,
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequestStrategy,
};

export function strategyFor(res: ResourceInfo): Strategy {
  if (!res.definition) return customResourceStrategy;
  return STRATEGIES[`${res.group}/${res.kind}`] ?? baseStrategy;
}
