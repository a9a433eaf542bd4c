import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StrategicMergePatchError, applyStrategicMergePatch, schemaPatchMeta } from './strategic.ts';

// A slice of the built-in OpenAPI v3 definitions, in kube-openapi's shape.
const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} });
const str = { type: 'string', default: '' };
const strMap = { type: 'object', additionalProperties: str };
const listOf = (name: string, extra: object = {}) => ({ type: 'array', items: ref(name), ...extra });
const core = 'io.k8s.api.core.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const components: Record<string, object> = {
  'io.k8s.api.apps.v1.Deployment': {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: ref(`${meta}.ObjectMeta`),
      spec: ref('io.k8s.api.apps.v1.DeploymentSpec'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      strategy: { ...ref('io.k8s.api.apps.v1.DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
      template: ref(`${core}.PodTemplateSpec`),
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: 'object',
    properties: { type: str, rollingUpdate: { type: 'object', properties: { maxSurge: {}, maxUnavailable: {} } } },
  },
  [`${core}.PodTemplateSpec`]: {
    type: 'object',
    properties: { metadata: ref(`${meta}.ObjectMeta`), spec: ref(`${core}.PodSpec`) },
  },
  [`${core}.PodSpec`]: {
    type: 'object',
    properties: {
      containers: listOf(`${core}.Container`, {
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
      volumes: listOf(`${core}.Volume`, {
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      }),
      tolerations: listOf(`${core}.Toleration`, { 'x-kubernetes-list-type': 'atomic' }),
      nodeSelector: strMap,
    },
  },
  [`${core}.Container`]: {
    type: 'object',
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      env: listOf(`${core}.EnvVar`, { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' }),
      ports: listOf(`${core}.ContainerPort`, {
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      }),
      resources: ref(`${core}.ResourceRequirements`),
    },
  },
  [`${core}.EnvVar`]: { type: 'object', properties: { name: str, value: str, valueFrom: { type: 'object' } } },
  [`${core}.ContainerPort`]: { type: 'object', properties: { containerPort: { type: 'integer' }, name: str, protocol: str } },
  [`${core}.ResourceRequirements`]: { type: 'object', properties: { limits: strMap, requests: strMap } },
  [`${core}.Toleration`]: { type: 'object', properties: { key: str, operator: str, effect: str } },
  [`${core}.Volume`]: {
    type: 'object',
    properties: {
      name: str,
      configMap: { type: 'object', properties: { name: str } },
      emptyDir: { type: 'object', properties: { medium: str } },
    },
  },
  [`${meta}.ObjectMeta`]: {
    type: 'object',
    properties: {
      name: str,
      labels: strMap,
      annotations: strMap,
      finalizers: {
        type: 'array',
        items: str,
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
  },
};

const deploymentSchema = schemaPatchMeta({ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' }, components);
const podSpecSchema = schemaPatchMeta({ $ref: `#/components/schemas/${core}.PodSpec` }, components);

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:1',
              args: ['--a'],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [
                { containerPort: 80, name: 'http' },
                { containerPort: 443, name: 'https' },
              ],
            },
            { name: 'sidecar', image: 'sidecar:1' },
          ],
          volumes: [{ name: 'conf', configMap: { name: 'web-conf' } }],
          tolerations: [{ key: 'x', operator: 'Exists' }],
          nodeSelector: { disk: 'ssd', zone: 'a' },
        },
      },
    },
  };
}

type Deployment = ReturnType<typeof deployment>;
const apply = (patch: unknown, original: unknown = deployment()) =>
  applyStrategicMergePatch(original, patch, deploymentSchema) as Deployment;
const podSpec = (patch: unknown) => apply({ spec: { template: { spec: patch } } }).spec.template.spec;
const containers = (patch: unknown) => podSpec({ containers: patch }).containers;

function patchError(patch: unknown, original: unknown = deployment()): StrategicMergePatchError {
  try {
    apply(patch, original);
  } catch (e) {
    assert.ok(e instanceof StrategicMergePatchError, String(e));
    return e;
  }
  assert.fail('expected the patch to fail');
}

describe('applyStrategicMergePatch: maps', () => {
  it('merges maps recursively and deletes keys set to null', () => {
    const out = apply({ metadata: { labels: { tier: null, team: 'blue' }, annotations: { a: 'b' } }, spec: { replicas: 3 } });
    assert.deepEqual(out.metadata.labels, { app: 'web', team: 'blue' });
    assert.deepEqual((out.metadata as Record<string, unknown>).annotations, { a: 'b' });
    assert.equal(out.spec.replicas, 3);
    assert.equal(out.spec.template.spec.containers.length, 2);
  });

  it('leaves its inputs untouched', () => {
    const original = deployment();
    const patch = { metadata: { labels: { tier: null } }, spec: { template: { spec: { containers: [{ name: 'app', image: 'x' }] } } } };
    const patchCopy = structuredClone(patch);
    apply(patch, original);
    assert.deepEqual(original, deployment());
    assert.deepEqual(patch, patchCopy);
  });

  it('honours $patch: replace and $patch: delete on maps', () => {
    assert.deepEqual(podSpec({ nodeSelector: { $patch: 'replace', zone: 'b' } }).nodeSelector, { zone: 'b' });
    assert.deepEqual(podSpec({ nodeSelector: { $patch: 'delete' } }).nodeSelector, {});
    assert.deepEqual(apply({ $patch: 'replace', kind: 'X' }), { kind: 'X' });
    assert.deepEqual(apply({ $patch: 'delete' }), {});
  });

  it('drops nulls and directives from content the original lacks', () => {
    const out = apply({ metadata: { annotations: { a: 'x', b: null } }, spec: { paused: { $patch: 'delete' } } });
    assert.deepEqual((out.metadata as Record<string, unknown>).annotations, { a: 'x' });
    assert.equal('paused' in out.spec, false);
    assert.equal('annotations' in deployment().metadata, false);
  });

  it('replaces values whose type changes', () => {
    const out = apply({ spec: { strategy: { type: 'Recreate', rollingUpdate: 'none', $retainKeys: ['type', 'rollingUpdate'] } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate', rollingUpdate: 'none' });
  });

  it('clears keys missing from $retainKeys (retainKeys strategy)', () => {
    const out = apply({ spec: { strategy: { type: 'Recreate', $retainKeys: ['type'] } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
    const e = patchError({ spec: { strategy: { type: 'Recreate', rollingUpdate: null, other: 1, $retainKeys: ['type'] } } });
    assert.equal(e.message, 'invalid patch format of retainKeys');
    assert.equal(e.status, 400);
    assert.equal(patchError({ spec: { strategy: { $retainKeys: 'type' } } }).message, 'invalid patch format of retainKeys');
  });
});

describe('applyStrategicMergePatch: lists', () => {
  it('merges containers by name, keeping the live position of existing ones', () => {
    const out = containers([{ name: 'sidecar', image: 'sidecar:2' }]);
    assert.deepEqual(out.map((c) => [c.name, c.image]), [
      ['app', 'app:1'],
      ['sidecar', 'sidecar:2'],
    ]);
    assert.deepEqual(out[0].env, deployment().spec.template.spec.containers[0].env, 'untouched container kept whole');
  });

  it('puts containers the live list lacks first, like upstream', () => {
    const out = containers([{ name: 'new', image: 'new:1', resources: null }]);
    assert.deepEqual(out.map((c) => c.name), ['new', 'app', 'sidecar']);
    assert.deepEqual(out[0], { name: 'new', image: 'new:1' });
  });

  it('orders patch items as the patch does and interleaves live items', () => {
    const out = containers([
      { name: 'sidecar', image: 's' },
      { name: 'app', image: 'a' },
    ]);
    assert.deepEqual(out.map((c) => c.name), ['sidecar', 'app']);
  });

  it('merges env by name and ports by containerPort inside a container', () => {
    const [app] = containers([
      {
        name: 'app',
        env: [
          { name: 'B', value: '20' },
          { name: 'C', value: '3' },
          { name: 'A', $patch: 'delete' },
        ],
        ports: [{ containerPort: 443, name: 'tls' }, { containerPort: 8080 }],
      },
    ]);
    assert.deepEqual(app.env, [
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
    assert.deepEqual(app.ports, [
      { containerPort: 80, name: 'http' },
      { containerPort: 443, name: 'tls' },
      { containerPort: 8080 },
    ]);
    assert.equal(app.image, 'app:1');
  });

  it('deletes list items with $patch: delete', () => {
    assert.deepEqual(containers([{ name: 'sidecar', $patch: 'delete' }]).map((c) => c.name), ['app']);
    assert.deepEqual(containers([{ name: 'absent', $patch: 'delete' }]).map((c) => c.name), ['app', 'sidecar']);
  });

  it('replaces a merging list with $patch: replace', () => {
    const out = containers([{ $patch: 'replace' }, { name: 'only', image: 'o:1', env: [{ name: 'X', $patch: 'delete' }] }]);
    assert.deepEqual(out, [{ name: 'only', image: 'o:1', env: [] }]);
  });

  it('replaces lists without a patch strategy', () => {
    assert.deepEqual(podSpec({ tolerations: [{ key: 'y', operator: 'Equal', effect: null }] }).tolerations, [{ key: 'y', operator: 'Equal' }]);
    assert.deepEqual(containers([{ name: 'app', args: ['--b'] }])[0].args, ['--b']);
  });

  it('merges finalizers as a set and deletes with $deleteFromPrimitiveList', () => {
    assert.deepEqual(apply({ metadata: { finalizers: ['b', 'c', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
    assert.deepEqual(apply({ metadata: { finalizers: ['z'] } }).metadata.finalizers, ['z', 'a', 'b']);
    assert.deepEqual(apply({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'x'] } }).metadata.finalizers, ['b']);
    const both = apply({ metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } });
    assert.deepEqual(both.metadata.finalizers, ['c', 'b']);
    const noList = apply({ spec: { template: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } } } });
    assert.deepEqual(noList.spec.template.metadata, { labels: { app: 'web' } });
  });

  it('applies $retainKeys inside volumes (merge,retainKeys)', () => {
    const volumes = podSpec({ volumes: [{ name: 'conf', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] }).volumes;
    assert.deepEqual(volumes, [{ name: 'conf', emptyDir: {} }]);
    const merged = podSpec({ volumes: [{ name: 'conf', configMap: { name: 'other' } }] }).volumes;
    assert.deepEqual(merged, [{ name: 'conf', configMap: { name: 'other' } }]);
  });

  it('orders by $setElementOrder', () => {
    const out = containers([]);
    assert.deepEqual(out.map((c) => c.name), ['app', 'sidecar']);
    const reordered = podSpec({
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'new' }, { name: 'app' }],
      containers: [{ name: 'new', image: 'n' }],
    }).containers;
    assert.deepEqual(reordered.map((c) => c.name), ['sidecar', 'new', 'app']);
    const onlyOrder = podSpec({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] }).containers;
    assert.deepEqual(onlyOrder.map((c) => c.name), ['sidecar', 'app']);
    const finalizers = apply({ metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'], finalizers: ['c'] } }).metadata.finalizers;
    assert.deepEqual(finalizers, ['b', 'c', 'a']);
  });
});

describe('applyStrategicMergePatch: errors', () => {
  it('rejects malformed directives with upstream texts', () => {
    assert.equal(patchError({ metadata: { labels: { $patch: 'merge', a: 'b' } } }).message, 'unknown patch type: merge in map: map[$patch:merge a:b]');
    assert.equal(
      patchError({ spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }).message,
      'merging lists cannot yet be specified in the patch',
    );
    assert.equal(
      patchError({ spec: { template: { spec: { containers: [{ $patch: 'frob', name: 'x' }] } } } }).message,
      'unknown patch type: frob in map: map[$patch:frob name:x]',
    );
    assert.equal(
      patchError({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }).message,
      'map: map[image:x] does not contain declared merge key: name',
    );
    assert.equal(
      patchError({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ $patch: 'delete', value: 'x' }] }] } } } }).message,
      'map: map[$patch:delete value:x] does not contain declared merge key: name',
    );
    const order = patchError({ metadata: { '$setElementOrderfinalizers': ['a'] } });
    assert.equal(order.message, 'invalid patch format of setElementOrder list');
    assert.equal(order.status, 400);
    assert.equal(
      patchError({ metadata: { '$setElementOrder/finalizers': 'a' } }).message,
      'expected a []interface {}, but received a string',
    );
    assert.equal(
      patchError({ metadata: { '$setElementOrder/finalizers': ['b', 'a'], finalizers: ['a', 'b'] } }).message,
      "the order in patch list:\n[a b]\n doesn't match $setElementOrder list:\n[b a]",
    );
  });

  it('rejects a malformed $deleteFromPrimitiveList key and bad patch strategies', () => {
    const e = patchError({ metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } });
    assert.equal(e.message, 'invalid patch format of primitive list');
    assert.equal(e.status, 400);
    const odd = schemaPatchMeta(
      { type: 'object', properties: { m: { type: 'object', 'x-kubernetes-patch-strategy': 'merge,replace' } } },
      {},
    );
    assert.throws(() => applyStrategicMergePatch({ m: { a: 1 } }, { m: { b: 2 } }, odd), {
      message: 'unexpected patch strategy: [merge replace]',
    });
  });

  it('replaces maps whose strategy is replace', () => {
    const schema = schemaPatchMeta({ type: 'object', properties: { m: { type: 'object', 'x-kubernetes-patch-strategy': 'replace' } } }, {});
    assert.deepEqual(applyStrategicMergePatch({ m: { a: 1 } }, { m: { b: 2, c: null } }, schema), { m: { b: 2 } });
    assert.deepEqual(applyStrategicMergePatch({ m: { a: 1 } }, { m: { $patch: 'delete' } }, schema), { m: {} });
  });

  it('rejects bad list contents', () => {
    const original = { ...deployment(), metadata: { name: 'web', finalizers: [] } };
    const lol = patchError({ metadata: { finalizers: [['x']] } }, original);
    assert.equal(lol.message, 'lists of lists are not supported');
    assert.equal(lol.status, 422);
    assert.equal(
      patchError({ metadata: { finalizers: [1] } }).message,
      'list element types are not identical: [[a b] [1]]',
    );
  });

  it('rejects fields the schema does not know when both sides carry them', () => {
    const original = deployment();
    (original.spec.template.spec as Record<string, unknown>).extra = { a: 1 };
    assert.equal(
      patchError({ spec: { template: { spec: { extra: { a: 2 } } } } }, original).message,
      `unable to find api field "extra" in ${core}.PodSpec`,
    );
    assert.deepEqual((podSpec({ extra: { a: 2 } }) as Record<string, unknown>).extra, { a: 2 }, 'new unknown fields are just set');
  });

  it('rejects non-object documents', () => {
    assert.throws(() => applyStrategicMergePatch({}, [1], deploymentSchema), { message: 'invalid JSON document' });
    assert.deepEqual(applyStrategicMergePatch(null, { a: 1 }, deploymentSchema), { a: 1 });
    assert.deepEqual(applyStrategicMergePatch({ a: 1 }, null, deploymentSchema), { a: 1 });
  });
});

describe('schemaPatchMeta', () => {
  it('resolves $ref and allOf and reads patch metadata', () => {
    const containersField = podSpecSchema.field('containers');
    assert.deepEqual(containersField.meta, {
      strategies: ['merge'],
      mergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    });
    const container = containersField.schema!.items()!;
    assert.equal(container.name, `${core}.Container`);
    assert.deepEqual(container.field('ports').meta.mergeKey, 'containerPort');
    assert.deepEqual(podSpecSchema.field('volumes').meta.strategies, ['merge', 'retainKeys']);
    assert.deepEqual(deploymentSchema.field('spec').schema!.field('strategy').meta.strategies, ['retainKeys']);
  });

  it('treats additionalProperties values as metadata-free and unknown fields as errors', () => {
    const nodeSelector = podSpecSchema.field('nodeSelector').schema!;
    assert.deepEqual(nodeSelector.field('anything').meta, { strategies: [] });
    assert.throws(() => podSpecSchema.field('nope'), { message: `unable to find api field "nope" in ${core}.PodSpec` });
    const freeForm = container().field('env').schema!.items()!.field('valueFrom').schema!;
    assert.equal(freeForm.field('whatever').schema, undefined);
  });
});

function container() {
  return podSpecSchema.field('containers').schema!.items()!;
}
