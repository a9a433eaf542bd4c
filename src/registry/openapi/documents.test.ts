import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps, ResourceInfo } from '../types.ts';
import {
  contentHash, invalidateOpenAPIDocuments, openAPIV2Document, openAPIV3Document, openAPIV3GroupVersions, openAPIV3Index,
} from './documents.ts';

type Json = Record<string, any>;

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(group: string, version: string, kind: string, plural: string, namespaced: boolean, definition: string, subresources: string[] = []): ResourceInfo {
  return { group, version, kind, plural, singular: kind.toLowerCase(), listKind: kind + 'List', namespaced, shortNames: [], categories: [],
    verbs: VERBS, subresources, definition, storage: true };
}

const CRONTAB_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^\\S+$' },
        replicas: { 'x-kubernetes-int-or-string': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
      },
    },
  },
};

function crontab(schema: JSONSchemaProps = CRONTAB_SCHEMA): ResourceInfo {
  return { group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', singular: 'crontab', listKind: 'CronTabList',
    namespaced: true, shortNames: ['ct'], categories: [], verbs: VERBS, subresources: ['status', 'scale'], crdSchema: schema, storage: true };
}

const RESOURCES: ResourceInfo[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', false, 'io.k8s.api.core.v1.Namespace', ['status']),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, 'io.k8s.api.core.v1.ConfigMap'),
  builtin('', 'v1', 'LimitRange', 'limitranges', true, 'io.k8s.api.core.v1.LimitRange'),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, 'io.k8s.api.apps.v1.Deployment', ['status', 'scale']),
  crontab(),
];

function v3(gv: string, resources = RESOURCES): Json {
  const doc = openAPIV3Document(resources, gv);
  assert.ok(doc, gv);
  return JSON.parse(doc.body);
}

/** kubectl's check (QueryParamVerifierV3): the PATCH operation tagged with the GVK lists the query parameter. */
function supportsQueryParam(doc: Json, gvk: { group: string; version: string; kind: string }, param: string): boolean {
  let found = false;
  for (const item of Object.values<Json>(doc.paths)) {
    const op = item.patch;
    if (!op) continue;
    const g = op['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    found = true;
    if (!op.parameters?.some((p: Json) => p.name === param && p.in === 'query')) return false;
  }
  return found;
}

function assertRefsResolve(doc: Json, prefix: string, defs: Json): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        assert.ok(v.startsWith(prefix), v);
        assert.ok(defs[v.slice(prefix.length)], `unresolved ${v}`);
      } else visit(v);
    }
  };
  visit(doc);
}

describe('OpenAPI v3', () => {
  it('indexes every group version with a content hash of its document', () => {
    const index = JSON.parse(openAPIV3Index(RESOURCES).body);
    assert.deepEqual(Object.keys(index.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/stable.example.com/v1']);
    for (const [gv, entry] of Object.entries<Json>(index.paths)) {
      const doc = openAPIV3Document(RESOURCES, gv)!;
      assert.match(doc.hash, /^[0-9A-F]{128}$/);
      assert.equal(doc.hash, contentHash(doc.body));
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${gv}?hash=${doc.hash}`);
    }
    assert.deepEqual(openAPIV3GroupVersions(RESOURCES).sort(), Object.keys(index.paths).sort());
    assert.equal(openAPIV3Document(RESOURCES, 'apis/nope/v1'), undefined);
  });

  it('publishes every operation of a resource with its parameters', () => {
    const doc = v3('apis/apps/v1');
    assert.equal(doc.openapi, '3.0.0');
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.deepEqual(item.parameters.map((p: Json) => p.name), ['name', 'namespace', 'pretty']);
    assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
    assert.equal(item.patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    const patchParams = item.patch.parameters.map((p: Json) => `${p.in}:${p.name}`);
    for (const p of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(patchParams.includes('query:' + p), p);
    assert.ok(item.patch.requestBody.content['application/strategic-merge-patch+json']);
    const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    assert.equal(collection.get.operationId, 'listAppsV1NamespacedDeployment');
    assert.ok(collection.get.parameters.some((p: Json) => p.name === 'labelSelector'));
    assert.ok(collection.post.parameters.some((p: Json) => p.name === 'fieldValidation'));
    assert.equal(collection.delete['x-kubernetes-action'], 'deletecollection');
    assert.ok(doc.paths['/apis/apps/v1/deployments'].get);
    assert.ok(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}'].get);
    assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind'].kind, 'Scale');
    assert.ok(supportsQueryParam(doc, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'fieldValidation'));
    assert.ok(supportsQueryParam(v3('api/v1'), { group: '', version: 'v1', kind: 'Namespace' }, 'fieldValidation'));
  });

  it('includes every referenced schema, with patch metadata', () => {
    const doc = v3('apis/apps/v1');
    const schemas = doc.components.schemas;
    assertRefsResolve(doc, '#/components/schemas/', schemas);
    for (const name of ['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentList', 'io.k8s.api.autoscaling.v1.Scale',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent', 'io.k8s.api.core.v1.PodSpec']) {
      assert.ok(schemas[name], name);
    }
    assert.equal(schemas['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(schemas['io.k8s.api.core.v1.ConfigMap'], undefined, 'only what apps/v1 references');
  });

  it('converts custom resource schemas as the apiextensions-apiserver does', () => {
    const doc = v3('apis/stable.example.com/v1');
    const schemas = doc.components.schemas;
    const ct = schemas['com.example.stable.v1.CronTab'];
    assert.ok(ct);
    assert.deepEqual(ct['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
    assert.equal(ct.properties.apiVersion.type, 'string');
    assert.equal(ct.properties.kind.type, 'string');
    assert.deepEqual(ct.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.equal(ct.properties.spec.properties.cronSpec.pattern, '^\\S+$');
    assert.deepEqual(ct.properties.spec.properties.replicas.anyOf, [{ type: 'integer' }, { type: 'string' }]);
    const template = ct.properties.spec.properties.template;
    assert.ok(template.properties.apiVersion && template.properties.kind && template.properties.metadata);
    assert.deepEqual(template.required, ['kind', 'apiVersion']);
    const list = schemas['com.example.stable.v1.CronTabList'];
    assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/com.example.stable.v1.CronTab' });
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTabList', version: 'v1' }]);
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assertRefsResolve(doc, '#/components/schemas/', schemas);
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    assert.equal(patch.requestBody.content['application/strategic-merge-patch+json'], undefined);
    assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation'));
    assert.ok(doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/status']);
  });

  it('publishes a schemaless custom resource as a plain object', () => {
    const schemaless = crontab();
    delete schemaless.crdSchema;
    const schemas = v3('apis/stable.example.com/v1', [schemaless]).components.schemas;
    assert.deepEqual(schemas['com.example.stable.v1.CronTab'], {
      type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }],
    });
  });

  it('caches documents until the resources change or the cache is invalidated', () => {
    const a = openAPIV3Document(RESOURCES, 'apis/apps/v1');
    assert.equal(openAPIV3Document([...RESOURCES], 'apis/apps/v1'), a, 'same resources: cached');
    invalidateOpenAPIDocuments();
    const b = openAPIV3Document(RESOURCES, 'apis/apps/v1')!;
    assert.notEqual(b, a);
    assert.equal(b.hash, a!.hash, 'same content: same hash');
    const changed = [...RESOURCES.slice(0, 3), crontab({ type: 'object', properties: { spec: { type: 'string' } } })];
    const before = JSON.parse(openAPIV3Index(RESOURCES).body).paths['apis/stable.example.com/v1'].serverRelativeURL;
    const after = JSON.parse(openAPIV3Index(changed).body).paths['apis/stable.example.com/v1'].serverRelativeURL;
    assert.notEqual(after, before);
  });
});

describe('OpenAPI v2', () => {
  it('is one Swagger 2.0 document with #/definitions/ references', () => {
    const doc = JSON.parse(openAPIV2Document(RESOURCES).body);
    assert.equal(doc.swagger, '2.0');
    assertRefsResolve(doc, '#/definitions/', doc.definitions);
    const dep = doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'];
    assert.deepEqual(Object.keys(dep.properties.template).sort(), ['$ref', 'description']);
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.ok(patch.parameters.some((p: Json) => p.in === 'body' && p.schema.$ref === '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch'));
    assert.ok(doc.paths['/api/v1/namespaces/{name}']);
    // A property named like a schema keyword is still a schema.
    assert.equal(doc.definitions['io.k8s.api.core.v1.LimitRangeItem'].properties.default.additionalProperties.$ref,
      '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
    assert.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
    assert.ok(doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs']);
  });

  it('strips what kubectl cannot read from custom resource schemas', () => {
    const doc = JSON.parse(openAPIV2Document(RESOURCES).body);
    const spec = doc.definitions['com.example.stable.v1.CronTab'].properties.spec;
    assert.equal(spec.required, undefined);
    assert.equal(spec.properties.cronSpec.pattern, undefined);
    assert.equal(spec.properties.replicas.anyOf, undefined);
    assert.deepEqual(spec.properties.extra, { 'x-kubernetes-preserve-unknown-fields': true });
    const meta = doc.definitions['com.example.stable.v1.CronTab'].properties.metadata;
    assert.equal(meta.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    const preserved = JSON.parse(openAPIV2Document([crontab({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })]).body);
    assert.deepEqual(Object.keys(preserved.definitions['com.example.stable.v1.CronTab']).sort(), ['type', 'x-kubernetes-group-version-kind']);
  });
});
