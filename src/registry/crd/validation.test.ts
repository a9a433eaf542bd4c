import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronTabCRD, propagationPolicyCRD } from './fixtures.test-helpers.ts';
import { crdStatus, defaultCRD, validateCRD, validateCRDUpdate, type CustomResourceDefinition } from './validation.ts';

const messages = (crd: CustomResourceDefinition) => validateCRD(defaultCRD(crd)).map((e) => e.message);
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('validateCRD', () => {
  it('accepts the docs CronTab and a Karmada PropagationPolicy', () => {
    assert.deepEqual(messages(cronTabCRD()), []);
    assert.deepEqual(messages(propagationPolicyCRD()), []);
  });

  it('requires metadata.name to be plural.group', () => {
    const crd = cronTabCRD();
    crd.metadata!.name = 'foo';
    assert.deepEqual(messages(crd), ['metadata.name: Invalid value: "foo": must be spec.names.plural+"."+spec.group']);
  });

  it('reports missing names and the name mismatch they cause', () => {
    const crd = cronTabCRD();
    delete crd.spec!.names!.plural;
    const errs = validateCRD(defaultCRD(crd));
    assert.deepEqual(errs.map((e) => e.message), [
      'metadata.name: Invalid value: "crontabs.stable.example.com": must be spec.names.plural+"."+spec.group',
      'spec.names.plural: Required value',
    ]);
    assert.deepEqual(errs[1], { type: 'FieldValueRequired', field: 'spec.names.plural', message: 'spec.names.plural: Required value' });
  });

  it('checks the group', () => {
    const crd = cronTabCRD();
    crd.spec!.group = 'example';
    crd.metadata!.name = 'crontabs.example';
    assert.deepEqual(messages(crd), ['spec.group: Invalid value: "example": should be a domain with at least one dot']);
    crd.spec!.group = '';
    crd.metadata!.name = 'crontabs.';
    assert.ok(messages(crd).includes('spec.group: Required value'));
  });

  it('checks scope', () => {
    const crd = cronTabCRD();
    crd.spec!.scope = 'Global';
    assert.deepEqual(messages(crd), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
    delete crd.spec!.scope;
    assert.deepEqual(messages(crd), ['spec.scope: Required value']);
  });

  it('checks kind, plural and short names formats', () => {
    const crd = cronTabCRD();
    crd.spec!.names!.kind = 'Cron_Tab';
    crd.spec!.names!.shortNames = ['CT'];
    assert.deepEqual(messages(crd), [
      `spec.names.shortNames[0]: Invalid value: "CT": ${DNS1035}`,
      `spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${DNS1035}`,
      `spec.names.listKind: Invalid value: "Cron_TabList": may have mixed case, but should otherwise match: ${DNS1035}`,
    ].sort((a, b) => (a.includes('shortNames') ? 1 : 0) - (b.includes('shortNames') ? 1 : 0)));
  });

  it('rejects kind == listKind', () => {
    const crd = cronTabCRD();
    crd.spec!.names!.listKind = 'CronTab';
    assert.deepEqual(messages(crd), ['spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same']);
  });

  it('checks versions: storage count, uniqueness, names, schema presence', () => {
    const crd = cronTabCRD();
    const v1 = crd.spec!.versions![0];
    crd.spec!.versions!.push({ ...structuredClone(v1) });
    const msgs = messages(crd);
    assert.ok(msgs.some((m) => m.startsWith('spec.versions: Invalid value: [') && m.endsWith(': must contain unique version names')));
    assert.ok(msgs.some((m) => m.endsWith(': must have exactly one version marked as storage version')));

    const noSchema = cronTabCRD();
    delete noSchema.spec!.versions![0].schema;
    noSchema.spec!.versions![0].name = 'V1';
    assert.deepEqual(messages(noSchema), [
      'spec.versions[0].schema.openAPIV3Schema: Required value',
      `spec.versions[0].name: Invalid value: "V1": ${DNS1035}`,
    ]);

    const none = cronTabCRD();
    none.spec!.versions = [];
    assert.deepEqual(messages(none), [
      'spec.versions: Invalid value: null: must have exactly one version marked as storage version',
      'status.storedVersions: Invalid value: null: must have at least one stored version',
    ]);
  });

  it('requires structural schemas', () => {
    const crd = cronTabCRD();
    const schema = crd.spec!.versions![0].schema!.openAPIV3Schema!;
    schema.properties!.spec.properties!.foo = { description: 'no type' };
    schema.properties!.spec.properties!.list = { type: 'array' };
    assert.deepEqual(messages(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[foo].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items: Required value: must be specified',
    ]);
  });

  it('allows int-or-string and preserve-unknown-fields without a type', () => {
    const crd = cronTabCRD();
    const props = crd.spec!.versions![0].schema!.openAPIV3Schema!.properties!.spec.properties!;
    props.port = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    props.raw = { 'x-kubernetes-preserve-unknown-fields': true };
    assert.deepEqual(messages(crd), []);
  });

  it('forbids generic keywords and undeclared fields in value validations', () => {
    const crd = cronTabCRD();
    const spec = crd.spec!.versions![0].schema!.openAPIV3Schema!.properties!.spec;
    spec.anyOf = [{ type: 'object', properties: { extra: { type: 'string' } } }];
    assert.deepEqual(messages(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].properties[extra].type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[extra]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].properties[extra]',
    ]);
  });

  it('restricts root metadata to name and generateName', () => {
    const crd = cronTabCRD();
    const root = crd.spec!.versions![0].schema!.openAPIV3Schema!;
    root.properties!.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } };
    assert.deepEqual(messages(crd), []);
    root.properties!.metadata = { type: 'object', properties: { labels: { type: 'object' } } };
    assert.deepEqual(messages(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ]);
  });

  it('rejects unknown types, uniqueItems, additionalProperties with properties and a non-object root', () => {
    const crd = cronTabCRD();
    const root = crd.spec!.versions![0].schema!.openAPIV3Schema!;
    const spec = root.properties!.spec;
    spec.properties!.image = { type: 'Any' };
    spec.properties!.tags = { type: 'array', items: { type: 'string' }, uniqueItems: true };
    spec.additionalProperties = { type: 'string' };
    const msgs = messages(crd);
    const base = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
    assert.ok(msgs.includes(`${base}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`), msgs.join('\n'));
    assert.ok(msgs.includes(`${base}.properties[image].type: Unsupported value: "Any": supported values: "array", "boolean", "integer", "number", "object", "string"`));
    assert.ok(msgs.includes(`${base}.properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`));

    const arr = cronTabCRD();
    arr.spec!.versions![0].schema!.openAPIV3Schema = { type: 'array', items: { type: 'string' } };
    assert.deepEqual(messages(arr), ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "array": must be object at the root']);
  });

  it('restricts the root schema when the status subresource is enabled', () => {
    const crd = cronTabCRD();
    crd.spec!.versions![0].subresources = { status: {} };
    crd.spec!.versions![0].schema!.openAPIV3Schema!['x-kubernetes-embedded-resource'] = false;
    assert.deepEqual(messages(crd), []);
    crd.spec!.versions![0].schema!.openAPIV3Schema!.nullable = true;
    const msgs = messages(crd);
    assert.match(msgs[0], /^spec\.versions\[0\]\.schema\.openAPIV3Schema: Invalid value: \{.*\}: only \[Description Type Format Title .* XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/);
    assert.equal(msgs[1], 'spec.versions[0].schema.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root');
  });

  it('checks list-type map declarations', () => {
    const crd = propagationPolicyCRD();
    const sc = crd.spec!.versions![0].schema!.openAPIV3Schema!.properties!.spec.properties!.placement.properties!.spreadConstraints;
    sc['x-kubernetes-list-map-keys'] = ['spreadByField', 'missing'];
    const base = 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[placement].properties[spreadConstraints]';
    assert.deepEqual(messages(crd), [`${base}.x-kubernetes-list-map-keys: Invalid value: ["spreadByField","missing"]: entries must all be names of item properties`]);
  });

  it('checks printer columns and scale paths', () => {
    const crd = cronTabCRD();
    const v = crd.spec!.versions![0];
    v.additionalPrinterColumns = [{ name: 'Spec', type: 'text' }, { name: 'Age', type: 'date', jsonPath: 'metadata.creationTimestamp', format: 'time' }];
    v.subresources = { scale: { specReplicasPath: '.status.replicas' } };
    assert.deepEqual(messages(crd), [
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[0].JSONPath: Required value',
      'spec.versions[0].additionalPrinterColumns[1].format: Invalid value: "time": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.versions[0].additionalPrinterColumns[1].JSONPath: Invalid value: "metadata.creationTimestamp": must be a simple json path starting with .',
    ]);
  });

  it('checks conversion', () => {
    const crd = cronTabCRD();
    crd.spec!.conversion = { strategy: 'Webhook' };
    assert.deepEqual(messages(crd), [
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ]);
    crd.spec!.conversion = { strategy: 'Magic' };
    assert.deepEqual(messages(crd), ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']);
  });

  it('requires API approval for protected groups', () => {
    const crd = cronTabCRD();
    crd.spec!.group = 'stable.k8s.io';
    crd.metadata!.name = 'crontabs.stable.k8s.io';
    assert.deepEqual(messages(crd), [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    crd.metadata!.annotations = { 'api-approved.kubernetes.io': 'unapproved, experimental' };
    assert.deepEqual(messages(crd), []);
  });

  it('forbids preserveUnknownFields: true', () => {
    const crd = cronTabCRD();
    crd.spec!.preserveUnknownFields = true;
    assert.deepEqual(messages(crd), ['spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead']);
  });

  it('forbids defaults in top-level metadata', () => {
    const crd = cronTabCRD();
    crd.spec!.versions![0].schema!.openAPIV3Schema!.properties!.metadata = { type: 'object', default: {} };
    assert.ok(messages(crd).includes('spec.versions[0].schema.openAPIV3Schema.properties[metadata].default: Forbidden: must not be set in top-level metadata'));
  });
});

describe('validateCRDUpdate', () => {
  it('keeps group and plural immutable, kind and scope once established', () => {
    const old = defaultCRD(cronTabCRD());
    old.status = { ...old.status, conditions: [{ type: 'Established', status: 'True' }] };
    const crd = structuredClone(old);
    crd.spec!.scope = 'Cluster';
    crd.spec!.names!.kind = 'CronJob';
    crd.spec!.names!.listKind = 'CronJobList';
    assert.deepEqual(validateCRDUpdate(crd, old).map((e) => e.message), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "CronJob": field is immutable',
    ]);
  });
});

describe('defaultCRD', () => {
  it('fills singular, listKind, conversion and storedVersions', () => {
    const crd = cronTabCRD();
    delete crd.spec!.names!.singular;
    const out = defaultCRD(crd);
    assert.equal(out, crd);
    assert.deepEqual(out.spec!.names, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
    assert.deepEqual(out.spec!.conversion, { strategy: 'None' });
    assert.deepEqual(out.status, { storedVersions: ['v1'] });
  });
});

describe('crdStatus', () => {
  it('accepts the names and reports Established', () => {
    const crd = defaultCRD(cronTabCRD());
    const status = crdStatus(crd, [], '2024-01-01T00:00:00Z');
    assert.deepEqual(status, {
      acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: '2024-01-01T00:00:00Z' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: '2024-01-01T00:00:00Z' },
      ],
      storedVersions: ['v1'],
    });
  });

  it('reports name conflicts within the group', () => {
    const other = defaultCRD(cronTabCRD());
    other.metadata!.name = 'crontabs2.stable.example.com';
    other.status = { acceptedNames: { plural: 'crontabs2', singular: 'crontab2', kind: 'CronTab', listKind: 'CronTabList2', shortNames: ['ct'] } };
    const crd = defaultCRD(cronTabCRD());
    const status = crdStatus(crd, [other], 'now');
    // kind and short name are taken; the last conflict found names the reason
    assert.deepEqual(status.acceptedNames, { plural: 'crontabs', singular: 'crontab', listKind: 'CronTabList' });
    assert.deepEqual(status.conditions?.map(({ type, status: s, reason, message }) => ({ type, s, reason, message })), [
      { type: 'NamesAccepted', s: 'False', reason: 'KindConflict', message: '"CronTab" is already in use' },
      { type: 'Established', s: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
    ]);
  });
});
