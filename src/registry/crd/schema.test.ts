import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONSchemaProps } from '../types.ts';
import { cronTabSchema, propagationPolicySchema } from './fixtures.test-helpers.ts';
import { applyDefaults, pruneUnknown, validateCustomResource } from './schema.ts';

const cronTab = (spec: Record<string, unknown>, name = 'my-new-cron-object') => ({
  apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name, namespace: 'default' }, spec,
});
const msgs = (obj: object, schema: JSONSchemaProps) => validateCustomResource(obj, schema).map((e) => e.message);
const specOf = (props: Record<string, JSONSchemaProps>, required?: string[]): JSONSchemaProps => ({
  type: 'object', properties: { spec: { type: 'object', properties: props, ...(required ? { required } : {}) } },
});

describe('pruneUnknown', () => {
  it('drops unknown fields, keeps apiVersion/kind/metadata at the root and reports sorted paths', () => {
    const obj = { ...cronTab({ image: 'x', foo: 1, nested: { a: 1 } }), extra: true };
    const { pruned, unknownFields } = pruneUnknown(obj, cronTabSchema);
    assert.deepEqual(pruned, cronTab({ image: 'x' }));
    assert.deepEqual(unknownFields, ['extra', 'spec.foo', 'spec.nested']);
    assert.equal((obj as { extra?: boolean }).extra, true, 'input untouched');
  });

  it('reports array item paths and honours additionalProperties', () => {
    const schema = specOf({
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
    });
    const { pruned, unknownFields } = pruneUnknown({ spec: { items: [{ name: 'a', bar: 1 }, { baz: 2 }], labels: { x: { v: 'a', w: 'b' } } } }, schema);
    assert.deepEqual(pruned, { spec: { items: [{ name: 'a' }, {}], labels: { x: { v: 'a' } } } });
    assert.deepEqual(unknownFields, ['spec.items[0].bar', 'spec.items[1].baz', 'spec.labels.x.w']);
  });

  it('keeps everything under x-kubernetes-preserve-unknown-fields except specified subtrees', () => {
    const schema = specOf({
      raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { a: { type: 'string' } } } } },
    });
    const { pruned, unknownFields } = pruneUnknown({ spec: { raw: { any: { thing: [1] }, typed: { a: 'x', b: 'y' } } } }, schema);
    assert.deepEqual(pruned, { spec: { raw: { any: { thing: [1] }, typed: { a: 'x' } } } });
    assert.deepEqual(unknownFields, ['spec.raw.typed.b']);
  });

  it('keeps apiVersion, kind and metadata of embedded resources', () => {
    const schema = specOf({
      template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } },
    });
    const template = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 1, paused: true }, status: {} };
    const { pruned, unknownFields } = pruneUnknown({ spec: { template } }, schema);
    assert.deepEqual(pruned, { spec: { template: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 1 } } } });
    assert.deepEqual(unknownFields, ['spec.template.spec.paused', 'spec.template.status']);
  });
});

describe('applyDefaults', () => {
  it('fills absent fields, nested, only where the parent exists (Karmada PropagationPolicy)', () => {
    const obj = {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'nginx' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }], placement: { replicaScheduling: {} }, failover: { application: { decisionConditions: {} } } },
    };
    const out = applyDefaults(obj, propagationPolicySchema);
    assert.equal(out, obj);
    assert.deepEqual(out.spec, {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
      failover: { application: { decisionConditions: { tolerationSeconds: 300 } } },
      priority: 0,
      conflictResolution: 'Abort',
    });
  });

  it('replaces non-nullable nulls by their default and drops those without one', () => {
    const schema = specOf({
      a: { type: 'string', default: 'x' },
      b: { type: 'string' },
      c: { type: 'string', nullable: true },
      d: { type: 'object', default: { e: 1 }, properties: { e: { type: 'integer' }, f: { type: 'integer', default: 2 } } },
    });
    assert.deepEqual(applyDefaults({ spec: { a: null, b: null, c: null } }, schema), { spec: { a: 'x', c: null, d: { e: 1, f: 2 } } });
  });
});

describe('validateCustomResource', () => {
  it('accepts a valid CronTab', () => {
    assert.deepEqual(msgs(cronTab({ cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 3 }), cronTabSchema), []);
  });

  it('reports type, bounds and pattern with upstream messages', () => {
    assert.deepEqual(msgs(cronTab({ cronSpec: '* * * *', replicas: 15 }), cronTabSchema), [
      "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
      'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
    ]);
    assert.deepEqual(msgs(cronTab({ replicas: 0 }), cronTabSchema), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
    const [err] = validateCustomResource(cronTab({ replicas: 'three' }), cronTabSchema);
    assert.deepEqual(err, {
      type: 'FieldValueTypeInvalid', field: 'spec.replicas',
      message: 'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    });
    assert.deepEqual(msgs(cronTab({ replicas: 1.5 }), cronTabSchema), ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
  });

  it('validates metadata.name as a DNS subdomain', () => {
    assert.deepEqual(msgs(cronTab({}, 'My_Cron'), cronTabSchema), [
      "metadata.name: Invalid value: \"My_Cron\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(msgs({ spec: {} }, cronTabSchema), ['metadata.name: Required value: name or generateName is required']);
    assert.deepEqual(validateCustomResource({ metadata: { name: 'x' } }, cronTabSchema, { namespaced: true }).map((e) => e.message), ['metadata.namespace: Required value']);
  });

  it('reports required, enum, lengths, item counts and nullability', () => {
    const schema = specOf({
      mode: { type: 'string', enum: ['a', 'b'] },
      level: { type: 'integer', enum: [1, 2] },
      name: { type: 'string', minLength: 3, maxLength: 5 },
      list: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
      opt: { type: 'string', nullable: true },
      strict: { type: 'string' },
    }, ['mode', 'required1']);
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { mode: 'x', level: 3, name: 'toolong', list: ['a', 'b', 'c'], opt: null, strict: null } }, schema), [
      'spec.mode: Unsupported value: "x": supported values: "a", "b"',
      'spec.level: Unsupported value: 3: supported values: "1", "2"',
      'spec.name: Too long: may not be more than 5 bytes',
      'spec.list: Too many: 3: must have at most 2 items',
      'spec.strict: Invalid value: "null": spec.strict in body must be of type string: "null"',
      'spec.required1: Required value',
    ]);
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { mode: 'a', required1: 1, name: 'ab', list: [] } }, schema), [
      'spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long',
      'spec.list: Invalid value: 0: spec.list in body should have at least 1 items',
    ]);
  });

  it('handles int-or-string and formats', () => {
    const schema = specOf({
      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      at: { type: 'string', format: 'date-time' },
      custom: { type: 'string', format: 'not-a-known-format' },
    });
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { port: 'http', at: '2024-05-01T10:00:00Z', custom: '?' } }, schema), []);
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { port: 8080 } }, schema), []);
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { port: true, at: 'yesterday' } }, schema), [
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      '<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer: "boolean"',
      'spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
    ]);
  });

  it('reports oneOf/allOf/not failures as upstream does', () => {
    const schema = specOf({
      choice: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'string' } },
        oneOf: [{ required: ['a'] }, { required: ['b'] }],
      },
      neg: { type: 'string', not: { enum: ['forbidden'] } },
    });
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { choice: {}, neg: 'forbidden' } }, schema), [
      '<nil>: Invalid value: "": "spec.choice" must validate one and only one schema (oneOf). Found none valid',
      'spec.choice.a: Required value',
      '<nil>: Invalid value: "": "spec.neg" must not validate the schema (not)',
    ]);
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { choice: { a: '1', b: '2' } } }, schema), [
      '<nil>: Invalid value: "": "spec.choice" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    ]);
  });

  it('checks list-type set and map uniqueness (Karmada PropagationPolicy)', () => {
    const pp = {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'nginx', namespace: 'default' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        placement: {
          clusterAffinity: { clusterNames: ['member1', 'member2', 'member1'] },
          spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 2 }, { spreadByField: 'cluster', minGroups: 1 }],
          replicaScheduling: { replicaSchedulingType: 'Split' },
        },
      },
    };
    assert.deepEqual(msgs(pp, propagationPolicySchema), [
      'spec.placement.replicaScheduling.replicaSchedulingType: Unsupported value: "Split": supported values: "Duplicated", "Divided"',
      'spec.placement.clusterAffinity.clusterNames[2]: Duplicate value: "member1"',
      'spec.placement.spreadConstraints[1]: Duplicate value: {"spreadByField":"cluster"}',
    ]);
    const missingKind = structuredClone(pp);
    missingKind.spec.placement = {} as typeof pp.spec.placement;
    missingKind.spec.resourceSelectors = [{ apiVersion: 'apps/v1' } as (typeof pp.spec.resourceSelectors)[0]];
    assert.deepEqual(msgs(missingKind, propagationPolicySchema), ['spec.resourceSelectors[0].kind: Required value']);
    assert.deepEqual(msgs({ ...pp, spec: undefined }, propagationPolicySchema), ['spec: Required value']);
  });

  it('requires apiVersion and kind in embedded resources', () => {
    const schema = specOf({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } });
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { template: { metadata: {} } } }, schema), [
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
    ]);
  });

  it('prints float bounds like Go', () => {
    const schema = specOf({ ratio: { type: 'number', maximum: 1.5, exclusiveMaximum: true }, big: { type: 'number', minimum: 1e6 } });
    assert.deepEqual(msgs({ metadata: { name: 'x' }, spec: { ratio: 2.5, big: 0.5 } }, schema), [
      'spec.ratio: Invalid value: 2.5: spec.ratio in body should be less than 1.5',
      'spec.big: Invalid value: 0.5: spec.big in body should be greater than or equal to 1e+06',
    ]);
  });
});
