import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../types.ts';
import { builtinKinds, builtinSchema, builtinSchemas, definitionFor, resolveSchema } from './schemas.ts';

const SERVED: Array<[string, string, string[]]> = [
  ['', 'v1', ['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'ResourceQuota', 'LimitRange', 'Event', 'Pod',
    'Endpoints', 'Node', 'PersistentVolumeClaim']],
  ['apps', 'v1', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision']],
  ['rbac.authorization.k8s.io', 'v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  ['networking.k8s.io', 'v1', ['NetworkPolicy', 'Ingress', 'IngressClass']],
  ['batch', 'v1', ['Job', 'CronJob']],
  ['coordination.k8s.io', 'v1', ['Lease']],
  ['apiextensions.k8s.io', 'v1', ['CustomResourceDefinition']],
  ['events.k8s.io', 'v1', ['Event']],
  ['policy', 'v1', ['PodDisruptionBudget']],
];

/** Follows a dotted field path through properties and array items. */
function field(definition: string, path: string): JSONSchemaProps {
  let node: JSONSchemaProps = builtinSchema(definition)!;
  let last: JSONSchemaProps = node;
  for (const key of path.split('.')) {
    const resolved = resolveSchema(node).schema!;
    const inner = resolved.type === 'array' ? resolveSchema(resolved.items).schema! : resolved;
    last = inner.properties![key];
    assert.ok(last, `no field ${key} in ${path}`);
    node = last;
  }
  return last;
}

describe('builtin schemas', () => {
  it('cover every served kind and its list, tagged with x-kubernetes-group-version-kind', () => {
    for (const [group, version, kinds] of SERVED) {
      for (const kind of [...kinds, ...kinds.map((k) => k + 'List')]) {
        const name = definitionFor({ group, version, kind });
        assert.ok(name, `${group}/${version} ${kind}`);
        assert.deepEqual(builtinSchema(name)!['x-kubernetes-group-version-kind'], [{ group, kind, version }]);
      }
    }
    assert.equal(definitionFor({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'io.k8s.api.apps.v1.Deployment');
    assert.equal(definitionFor({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }), 'io.k8s.api.events.v1.Event');
    assert.equal(definitionFor({ group: '', version: 'v1', kind: 'Event' }), 'io.k8s.api.core.v1.Event');
    assert.equal(definitionFor({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), 'io.k8s.api.autoscaling.v1.Scale');
    assert.equal(definitionFor({ group: 'apps', version: 'v1', kind: 'DeleteOptions' }), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    assert.ok(builtinKinds().some((k) => k.kind === 'CustomResourceDefinition'));
  });

  it('include the meta types the API paths use', () => {
    for (const kind of ['Status', 'DeleteOptions', 'WatchEvent', 'APIResourceList', 'Patch', 'ObjectMeta', 'ListMeta']) {
      assert.ok(builtinSchema('io.k8s.apimachinery.pkg.apis.meta.v1.' + kind), kind);
    }
  });

  it('resolve every $ref', () => {
    const all = builtinSchemas();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') assert.ok(all[String(v).replace('#/components/schemas/', '')], String(v));
        else if (k !== 'enum') visit(v);
      }
    };
    visit(all);
  });

  it('carry strategic merge metadata on Deployment spec.template.spec.containers', () => {
    const containers = field('io.k8s.api.apps.v1.Deployment', 'spec.template.spec.containers');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(field('io.k8s.api.apps.v1.Deployment', 'spec.strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
    const ports = field('io.k8s.api.core.v1.PodSpec', 'containers.ports');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
    const spread = field('io.k8s.api.apps.v1.Deployment', 'spec.template.spec.topologySpreadConstraints');
    assert.equal(spread['x-kubernetes-patch-merge-key'], 'topologyKey', 'merge keys of newer fields too');
    assert.equal(field('io.k8s.api.core.v1.Pod', 'metadata.ownerReferences')['x-kubernetes-patch-merge-key'], 'uid');
  });

  it('describe fields with types, formats and allOf-wrapped references', () => {
    const spec = builtinSchema('io.k8s.api.apps.v1.DeploymentSpec')!;
    assert.deepEqual(spec.required, ['selector', 'template']);
    assert.equal(spec.properties!.replicas.type, 'integer');
    assert.equal(spec.properties!.replicas.format, 'int32');
    assert.deepEqual(spec.properties!.template.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
    assert.ok(spec.properties!.template.description);
    assert.equal(field('io.k8s.api.core.v1.Pod', 'metadata.generation').format, 'int64');
    assert.equal(builtinSchema('io.k8s.apimachinery.pkg.apis.meta.v1.Time')!.format, 'date-time');
    assert.equal(builtinSchema('io.k8s.apimachinery.pkg.api.resource.Quantity')!.type, 'string');
    const ios = builtinSchema('io.k8s.apimachinery.pkg.util.intstr.IntOrString')!;
    assert.equal(ios.format, 'int-or-string');
    assert.equal(ios['x-kubernetes-int-or-string'], true);
    assert.equal((field('io.k8s.api.core.v1.Secret', 'data').additionalProperties as JSONSchemaProps).format, 'byte');
    assert.deepEqual(builtinSchema('io.k8s.api.core.v1.ServicePort')!.properties!.targetPort.allOf,
      [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  });
});
