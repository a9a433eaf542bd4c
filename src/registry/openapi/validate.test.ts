import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields, pruneUnknownFields, validateObject } from './validate.ts';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function deployment(extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ...container }] } },
      ...extra,
    },
  };
}

describe('validateObject', () => {
  it('accepts a well-typed object', () => {
    assert.deepEqual(validateObject(deployment(), DEPLOYMENT), { unknownFields: [], typeErrors: [] });
  });

  it('reports the paths of unknown fields, including metadata', () => {
    const obj = deployment({ bogus: true }, { foo: 1 });
    (obj.metadata as Record<string, unknown>).colour = 'red';
    assert.deepEqual(validateObject(obj, DEPLOYMENT).unknownFields, [
      'metadata.colour',
      'spec.template.spec.containers[0].foo',
      'spec.bogus',
    ]);
  });

  it('always allows apiVersion and kind, and accepts maps and free-form fields', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { 'a/b': 'c' } }, data: { 'any-key': 'v' } };
    assert.deepEqual(validateObject(cm, 'io.k8s.api.core.v1.ConfigMap'), { unknownFields: [], typeErrors: [] });
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { anything: { goes: [1] } } };
    assert.deepEqual(validateObject(rev, 'io.k8s.api.apps.v1.ControllerRevision'), { unknownFields: [], typeErrors: [] });
  });

  it('words type errors as encoding/json does', () => {
    const check = (obj: unknown, expected: string) => assert.deepEqual(validateObject(obj, DEPLOYMENT).typeErrors, [expected]);
    check(deployment({ replicas: '3' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    check(deployment({ replicas: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
    check(deployment({}, { image: 5 }),
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string');
    check(deployment({ template: 'x' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec');
    check(deployment({}, { ports: {} }),
      'json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.ports of type []v1.ContainerPort');
    check(deployment({ paused: 'yes' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool');
    check(deployment({ strategy: { rollingUpdate: { maxSurge: true } } }),
      'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32');
    check({ ...deployment(), metadata: { labels: { a: 1 } } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('accepts int-or-string and quantities in both spellings, and null anywhere', () => {
    const obj = deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }, replicas: null },
      { resources: { limits: { cpu: '500m', memory: 128 } } });
    assert.deepEqual(validateObject(obj, DEPLOYMENT).typeErrors, []);
    const bad = deployment({}, { resources: { limits: { cpu: 'lots' } } });
    assert.deepEqual(validateObject(bad, DEPLOYMENT).typeErrors,
      ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
  });

  it('checks base64 in byte fields', () => {
    const secret = (v: string) => validateObject({ data: { k: v } }, 'io.k8s.api.core.v1.Secret').typeErrors;
    assert.deepEqual(secret('aGVsbG8='), []);
    assert.deepEqual(secret('a!b='), ['illegal base64 data at input byte 1']);
  });

  it('reports duplicate fields when given the raw body', () => {
    const raw = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"x":"1","x":"2"}}';
    const result = validateObject(JSON.parse(raw), 'io.k8s.api.core.v1.ConfigMap', { raw });
    assert.deepEqual(result.duplicateFields, ['metadata.name', 'data.x']);
    assert.deepEqual(findDuplicateFields('{"a":[{"b":1,"b":2}]}'), ['a[0].b']);
  });

  it('validates custom resource schemas, with metadata as ObjectMeta', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { size: { type: 'integer' } } },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    };
    const obj = { apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'a', bogus: 1 }, spec: { size: 1, nope: 2 }, status: { free: 1 } };
    assert.deepEqual(validateObject(obj, schema).unknownFields, ['metadata.bogus', 'spec.nope']);
  });
});

describe('validateObject on a CustomResourceDefinition', () => {
  it('knows the x-kubernetes-* schema fields', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'crontabs.stable.example.com' },
      spec: {
        group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
          type: 'object',
          properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {
            port: { 'x-kubernetes-int-or-string': true },
            items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
          } } },
          'x-kubernetes-validations': [{ rule: 'self.spec.port != 0', message: 'no' }],
        } } }],
      },
    };
    assert.deepEqual(validateObject(crd, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'),
      { unknownFields: [], typeErrors: [] });
  });
});

describe('pruneUnknownFields', () => {
  it('drops unknown fields and keeps everything else', () => {
    const obj = deployment({ bogus: true }, { foo: 1 });
    const pruned = pruneUnknownFields(obj, DEPLOYMENT);
    assert.deepEqual(pruned, deployment());
    assert.ok('bogus' in obj.spec, 'input untouched');
  });
});
