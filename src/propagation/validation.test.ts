import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../apiserver/errors.ts';
import type { KObject } from '../registry/objects.ts';
import { policyValidators } from './validation.ts';

const validator = (kind: string) => policyValidators[`policy.karmada.io/${kind}`]!;

function texts(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.detail}`);
}

function pp(spec: KObject, namespace = 'default'): string[] {
  return texts(validator('PropagationPolicy').validate({
    metadata: { name: 'p', namespace },
    spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], placement: {}, ...spec },
  }));
}

function op(spec: KObject, namespace = 'default'): string[] {
  return texts(validator('OverridePolicy').validate({ metadata: { name: 'o', namespace }, spec }));
}

function rule(overriders: KObject, targetCluster?: KObject): KObject {
  return { overrideRules: [{ overriders, ...(targetCluster ? { targetCluster } : {}) }] };
}

describe('propagation policy validation', () => {
  it('accepts a complete valid policy', () => {
    assert.deepEqual(pp({
      propagateDeps: true,
      preemption: 'Always',
      placement: {
        clusterAffinities: [{ affinityName: 'primary', clusterNames: ['member1'] },
          { affinityName: 'backup', fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us'] }] } }],
        clusterTolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', value: 'c' }],
        spreadConstraints: [{ spreadByField: 'region', minGroups: 1, maxGroups: 2 }, { spreadByField: 'cluster', minGroups: 1 }],
      },
      failover: { application: { decisionConditions: { tolerationSeconds: 30 }, purgeMode: 'Gracefully', gracePeriodSeconds: 60,
        statePreservation: { rules: [{ aliasLabelName: 'example.com/replicas', jsonPath: '{.replicas}' }] } } },
      suspension: { dispatching: false, dispatchingOnClusters: { clusterNames: ['member2'] } },
    }), []);
  });

  it('refuses clusterAffinity together with clusterAffinities', () => {
    const placement = { clusterAffinity: { clusterNames: ['m1'] }, clusterAffinities: [{ affinityName: 'g', clusterNames: ['m1'] }] };
    assert.deepEqual(pp({ placement }), [
      `spec.placement: Invalid value: ${JSON.stringify(placement)}: clusterAffinities cannot co-exist with clusterAffinity`,
    ]);
  });

  it('checks affinity names: qualified and unique', () => {
    const terms = [{ affinityName: 'group1' }, { affinityName: 'group1' }, { affinityName: '-bad' }];
    assert.deepEqual(pp({ placement: { clusterAffinities: terms } }), [
      `spec.placement.clusterAffinities: Invalid value: ${JSON.stringify(terms)}: each affinity term in a policy must have a unique name`,
      'spec.placement.clusterAffinities[2]: Invalid value: "-bad": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', '
        + 'and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', '
        + 'regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ]);
  });

  it('allows only provider, region and zone with In and NotIn in field selectors, reporting the first offence', () => {
    const selector = { matchExpressions: [{ key: 'zone', operator: 'Exists' }, { key: 'foo', operator: 'In', values: ['x'] }] };
    assert.deepEqual(pp({ placement: { clusterAffinity: { fieldSelector: selector } } }), [
      `spec.placement.clusterAffinity.fieldSelector: Invalid value: ${JSON.stringify(selector)}: `
        + 'unsupported operator "Exists", must be In or NotIn',
    ]);
    const term = { affinityName: 'a', fieldSelector: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['x'] }] } };
    assert.match(pp({ placement: { clusterAffinities: [term] } })[0]!,
      /^spec\.placement\.clusterAffinities\[0\]\.fieldSelector: Invalid value: .*: unsupported key "foo", must be provider, region, or zone$/);
  });

  it('checks spread constraints as upstream', () => {
    const errors = (spreadConstraints: KObject[]) => pp({ placement: { spreadConstraints } }).map((t) => t.replace(/Invalid value: .*: /, ''));
    assert.deepEqual(errors([{ spreadByField: 'cluster', spreadByLabel: 'x' }]),
      ['spec.placement.spreadConstraints[0]: spreadByLabel should not co-exist with spreadByField']);
    assert.deepEqual(errors([{ minGroups: 2, maxGroups: 1 }]),
      ['spec.placement.spreadConstraints[0]: maxGroups lower than minGroups is not allowed']);
    assert.deepEqual(errors([{ minGroups: -1, maxGroups: -2 }]), [
      'spec.placement.spreadConstraints[0]: minGroups lower than 0 is not allowed',
      'spec.placement.spreadConstraints[0]: maxGroups lower than 0 is not allowed',
    ]);
    assert.deepEqual(errors([{ spreadByField: 'region' }]), [
      'spec.placement.spreadConstraints: the cluster spread constraint must be enabled in one of the constraints '
        + 'in case of SpreadByField is enabled',
    ]);
    const region = { spreadByField: 'region' };
    assert.deepEqual(errors([region, region, region, { spreadByField: 'cluster' }]),
      ['spec.placement.spreadConstraints: multiple region spread constraints are not allowed']);
    assert.deepEqual(errors([{ spreadByLabel: 'net', minGroups: 1, maxGroups: 0 }]), []);
  });

  it('refuses cluster tolerations with operators other than Equal and Exists', () => {
    assert.deepEqual(pp({ placement: { clusterTolerations: [{ key: 'a', operator: 'Lt', value: '1' }] } }),
      ['spec.placement.clusterTolerations[0].operator: Unsupported value: "Lt": supported values: "Equal", "Exists"']);
  });

  it('requires a name in every resource selector when preemption is Always', () => {
    assert.deepEqual(pp({ preemption: 'Always', resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: {} }] }), [
      'spec.resourceSelectors[0].name: Invalid value: "": name cannot be empty if preemption is Always, '
        + 'the empty name may cause unexpected resources preemption',
    ]);
    assert.deepEqual(pp({ preemption: 'Never', resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }] }), []);
  });

  it('keeps the selectors of a PropagationPolicy in its namespace; a ClusterPropagationPolicy may select any', () => {
    const spec = { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'other' }], placement: {} };
    assert.deepEqual(pp(spec, 'shop'), [
      'spec.resourceSelectors[0].namespace: Invalid value: "other": namespace of resource selector must be equal to the namespace of the policy',
    ]);
    assert.deepEqual(validator('ClusterPropagationPolicy').validate({ metadata: { name: 'c' }, spec }), []);
  });

  it('checks failover and suspension', () => {
    const application = {
      decisionConditions: { tolerationSeconds: -1 }, purgeMode: 'Directly', gracePeriodSeconds: 0,
      statePreservation: { rules: [{ aliasLabelName: 'INVALID.COM/x', jsonPath: '{.a}' }] },
    };
    assert.deepEqual(pp({ failover: { application, cluster: { statePreservation: { rules: [{ aliasLabelName: 'ok' }] } } } }), [
      'spec.propagateDeps: Invalid value: false: application failover is set, propagateDeps must be true',
      'spec.failover.application.decisionConditions.tolerationSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.failover.application.gracePeriodSeconds: Invalid value: 0: only takes effect when purgeMode is gracefully',
      'spec.failover.application.gracePeriodSeconds: Invalid value: 0: must be greater than 0',
      'spec.failover.application.statePreservation.rules[0].aliasLabelName: Invalid value: "INVALID.COM/x": prefix part a lowercase RFC 1123 '
        + 'subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character '
        + '(e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    ]);
    const suspension = { dispatching: true, dispatchingOnClusters: { clusterNames: ['m1'] } };
    assert.deepEqual(pp({ suspension }), [
      `spec.suspension: Invalid value: ${JSON.stringify(suspension)}: `
        + 'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames',
    ]);
  });

  it('on update, refuses a new schedulerName and a changed permanent id', () => {
    const policy = (schedulerName: string, id?: string) => ({
      metadata: { name: 'p', namespace: 'default', labels: id ? { 'propagationpolicy.karmada.io/permanent-id': id } : {} },
      spec: { schedulerName },
    });
    const update = validator('PropagationPolicy').validateUpdate;
    assert.deepEqual(texts(update(policy('other'), policy('default-scheduler'))),
      ['spec.schedulerName: Invalid value: "other": the schedulerName should not be updated']);
    assert.deepEqual(update(policy('default-scheduler', 'abc'), policy('default-scheduler')), [], 'the system may add the id later');
    assert.deepEqual(texts(update(policy('default-scheduler', 'new'), policy('default-scheduler', 'abc'))), [
      'metadata.labels[propagationpolicy.karmada.io/permanent-id]: Invalid value: "new": '
        + 'label propagationpolicy.karmada.io/permanent-id is immutable, it can only be set by the system during creation',
    ]);
    const cpp = (id?: string) => ({
      metadata: { name: 'c', labels: id ? { 'clusterpropagationpolicy.karmada.io/permanent-id': id } : {} }, spec: {},
    });
    assert.equal(validator('ClusterPropagationPolicy').validateUpdate(cpp(), cpp('abc')).length, 1);
  });
});

describe('override policy validation', () => {
  it('accepts valid rules and the deprecated targetCluster/overriders form', () => {
    assert.deepEqual(op(rule({
      plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 2 }],
      imageOverrider: [{ predicate: { path: '/spec/template/spec/containers/0/image' }, component: 'Tag', operator: 'replace', value: 'v1' }],
      labelsOverrider: [{ operator: 'add', value: { 'app.kubernetes.io/name': 'x' } }],
      annotationsOverrider: [{ operator: 'remove', value: { 'example.com/a': '' } }],
      fieldOverrider: [{ fieldPath: '/data/c.yaml', yaml: [{ subPath: '/a', operator: 'remove' }] }],
    }, { clusterNames: ['member1'] })), []);
    assert.deepEqual(op({ targetCluster: { clusterNames: ['m1'] }, overriders: { plaintext: [{ path: '/a', operator: 'remove' }] } }), []);
  });

  it('refuses overrideRules together with targetCluster or overriders', () => {
    const deprecated = { targetCluster: { clusterNames: ['m1'] }, overriders: { plaintext: [{ path: '/a', operator: 'remove' }] } };
    assert.deepEqual(op({ ...rule({}), ...deprecated }), [
      'spec.targetCluster: Invalid value: {"clusterNames":["m1"]}: overrideRules and targetCluster can\'t co-exist',
      'spec.overriders: Invalid value: {"plaintext":[{"path":"/a","operator":"remove"}]}: overrideRules and overriders can\'t co-exist',
    ]);
    assert.deepEqual(op({ overrideRules: [], overriders: {} }), []);
  });

  it('validates label and annotation keys and values', () => {
    const labels = op(rule({ labelsOverrider: [{ operator: 'add', value: { 'a~b': 'ok', ok: 'bad value' } }] }));
    assert.deepEqual(labels.map((t) => t.split(': ').slice(0, 3).join(': ')), [
      'spec.overrideRules[0].overriders.labelsOverrider[0].value: Invalid value: "a~b"',
      'spec.overrideRules[0].overriders.labelsOverrider[0].value: Invalid value: "bad value"',
    ]);
    assert.match(op(rule({ annotationsOverrider: [{ operator: 'add', value: { 'testannotation~projectId': 'x' } }] }))[0]!,
      /^spec\.overrideRules\[0\]\.overriders\.annotationsOverrider\[0\]\.value: Invalid value: "testannotation~projectId": name part/);
  });

  it('requires JSON pointers where paths are expected', () => {
    const pointer = 'JSON pointer must be empty or start with a "/';
    assert.deepEqual(op(rule({
      imageOverrider: [{ predicate: { path: 'spec/image' }, component: 'Tag', operator: 'remove' }],
      plaintext: [{ path: 'spec/replicas', operator: 'remove' }],
      fieldOverrider: [{ fieldPath: 'data/x', json: [{ subPath: 'a', operator: 'replace', value: 1 }] }],
    })), [
      `spec.overrideRules[0].overriders.imageOverrider[0].predicate.path: Invalid value: "spec/image": ${pointer}`,
      `spec.overrideRules[0].overriders.plaintext[0].path: Invalid value: "spec/replicas": ${pointer}`,
      `spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath: Invalid value: "data/x": ${pointer}`,
      `spec.overrideRules[0].overriders.fieldOverrider[0].json[0].subPath: Invalid value: "a": ${pointer}`,
    ]);
  });

  it('checks field overriders: one of yaml and json, values only for add and replace', () => {
    const both = { fieldPath: '/data/x', json: [{ subPath: '/a', operator: 'remove' }], yaml: [{ subPath: '/a', operator: 'remove' }] };
    assert.deepEqual(op(rule({ fieldOverrider: [both] })),
      [`spec.overrideRules[0].overriders.fieldOverrider[0]: Invalid value: ${JSON.stringify(both)}: `
        + 'FieldOverrider has both YAML and JSON set. Only one is allowed']);
    assert.match(op(rule({ fieldOverrider: [{ fieldPath: '/data/x' }] }))[0]!, /FieldOverrider must have either YAML or JSON set$/);
    assert.deepEqual(op(rule({ fieldOverrider: [{ fieldPath: '/data/x', json: [
      { subPath: '/a', operator: 'add' }, { subPath: '/b', operator: 'remove', value: { db: 'new' } },
    ] }] })), [
      'spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value: Invalid value: null: value is required for add or replace operation',
      'spec.overrideRules[0].overriders.fieldOverrider[0].json[1].value: Invalid value: {"db":"new"}: value is not allowed for remove operation',
    ]);
  });

  it('checks target cluster field selectors, of rules and of the deprecated form', () => {
    const selector = { matchExpressions: [{ key: 'provider', operator: 'Gt', values: ['1'] }] };
    assert.deepEqual(op(rule({}, { fieldSelector: selector })),
      [`spec.overrideRules[0].targetCluster.fieldSelector: Invalid value: ${JSON.stringify(selector)}: `
        + 'unsupported operator "Gt", must be In or NotIn']);
    assert.match(op({ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'foo', operator: 'In' }] } } })[0]!,
      /^spec\.targetCluster\.fieldSelector: .*unsupported key "foo"/);
  });

  it('keeps the selectors of an OverridePolicy in its namespace; a ClusterOverridePolicy may select any', () => {
    const spec = { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns-2' }] };
    assert.deepEqual(op(spec, 'ns-1'),
      ['spec.resourceSelectors[0].namespace: Invalid value: "ns-2": '
        + 'namespace of resource selector must be equal to the namespace of the policy']);
    assert.deepEqual(validator('ClusterOverridePolicy').validate({ metadata: { name: 'c' }, spec }), []);
  });
});
