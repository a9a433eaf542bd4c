// Server-side apply end to end: the real kubectl (`apply --server-side`) and raw PATCH requests of
// application/apply-patch+yaml against `canopy serve`, with managedFields as upstream keeps them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  api, kubectl, kubectlFails, kubectlOk, removeDir, ROOT, startServer, type RunningServer,
} from './support/server.ts';

const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
const NS = 'ssa';
const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };

let server: RunningServer;
const ok = (args: string[], input?: string, binary?: string) => kubectlOk(server, args, { input, binary });
const fails = (args: string[], input?: string) => kubectlFails(server, args, { input });

function deployment(options: { replicas?: number; image?: string; labels?: Record<string, string>; env?: string[] } = {}): string {
  const labels = { app: 'web', ...options.labels };
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, labels },
    spec: {
      ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'web', image: options.image ?? 'nginx:1.25',
            ...(options.env ? { env: options.env.map((name) => ({ name, value: name.toLowerCase() })) } : {}),
          }],
        },
      },
    },
  });
}

function getJson(kind: string, name: string, namespace = NS): any {
  return JSON.parse(ok(['get', kind, name, '-n', namespace, '-o', 'json', '--show-managed-fields']));
}

function managers(obj: any): Record<string, any> {
  return Object.fromEntries((obj.metadata.managedFields ?? []).map((e: any) => [`${e.manager}/${e.operation}`, e]));
}

describe('server-side apply', () => {
  before(async () => {
    server = await startServer();
    ok(['create', 'namespace', NS]);
  });
  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dir);
  });

  it('creates with kubectl apply --server-side, records the fields the manager applied, and a re-apply changes nothing', () => {
    assert.equal(ok(['apply', '--server-side', '-f', '-'], deployment({ replicas: 2, env: ['A', 'B'] })).trim(),
      'deployment.apps/web serverside-applied');
    const created = getJson('deployment', 'web');
    assert.equal(created.spec.replicas, 2);
    assert.equal(created.spec.strategy.type, 'RollingUpdate', 'defaults are applied to the created object');
    const entry = managers(created)['kubectl/Apply'];
    assert.ok(entry, `an Apply entry for kubectl: ${JSON.stringify(created.metadata.managedFields)}`);
    assert.equal(entry.apiVersion, 'apps/v1');
    assert.equal(entry.fieldsType, 'FieldsV1');
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const fields = entry.fieldsV1;
    assert.deepEqual(fields['f:metadata'], { 'f:labels': { 'f:app': {} } });
    assert.deepEqual(fields['f:spec']['f:replicas'], {});
    const container = fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
    assert.deepEqual(container['.'], {}, 'a list item is a member itself');
    assert.deepEqual(Object.keys(container['f:env']).sort(), ['k:{"name":"A"}', 'k:{"name":"B"}']);
    assert.equal(fields['f:spec']['f:strategy'], undefined, 'defaulted fields are not the applier\'s');
    assert.equal(fields['f:status'], undefined);

    assert.equal(ok(['apply', '--server-side', '-f', '-'], deployment({ replicas: 2, env: ['A', 'B'] })).trim(),
      'deployment.apps/web serverside-applied');
    const again = getJson('deployment', 'web');
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion, 'an unchanged apply writes nothing');
    assert.equal(again.metadata.generation, 1);
  });

  it('refuses to change a field another manager owns, with upstream\'s conflict text, until forced', () => {
    const before = getJson('deployment', 'web');
    const stderr = fails(['apply', '--server-side', '--field-manager', 'autoscaler', '-f', '-'], deployment({ replicas: 5 }));
    assert.match(stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas\n/);
    assert.match(stderr, /Please review the fields above--they currently have other managers/);
    assert.equal(getJson('deployment', 'web').metadata.resourceVersion, before.metadata.resourceVersion);

    const raw = api(server, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web?fieldManager=autoscaler`,
      deployment({ replicas: 5, image: 'nginx:1.27' }), APPLY);
    return raw.then((answer) => {
      assert.equal(answer.status, 409);
      assert.equal(answer.json.reason, 'Conflict');
      assert.equal(answer.json.message, 'Apply failed with 2 conflicts: conflicts with "kubectl":\n'
        + '- .spec.replicas\n- .spec.template.spec.containers[name="web"].image');
      assert.deepEqual(answer.json.details.causes, [
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' },
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.template.spec.containers[name="web"].image' },
      ]);

      ok(['apply', '--server-side', '--force-conflicts', '--field-manager', 'autoscaler', '-f', '-'], deployment({ replicas: 5 }));
      const forced = getJson('deployment', 'web');
      assert.equal(forced.spec.replicas, 5);
      const byManager = managers(forced);
      assert.deepEqual(byManager['autoscaler/Apply'].fieldsV1['f:spec']['f:replicas'], {});
      assert.equal(byManager['kubectl/Apply'].fieldsV1['f:spec']['f:replicas'], undefined, 'ownership moved');
      assert.ok(byManager['kubectl/Apply'].fieldsV1['f:spec']['f:template'], 'the rest stays kubectl\'s');
    });
  });

  it('co-owns a field applied with the same value, and removes a field only when no manager applies it any more', () => {
    // autoscaler also sets the label team=a; kubectl applies it too (same value: shared, no conflict).
    ok(['apply', '--server-side', '--field-manager', 'autoscaler', '-f', '-'], deployment({ replicas: 5, labels: { team: 'a' } }));
    ok(['apply', '--server-side', '-f', '-'], deployment({ env: ['A', 'B'], labels: { team: 'a', tier: 'front' } }));
    let obj = getJson('deployment', 'web');
    assert.deepEqual(obj.metadata.labels, { app: 'web', team: 'a', tier: 'front' });
    assert.equal(obj.spec.replicas, 5, 'kubectl no longer applies replicas, autoscaler still does');

    // kubectl drops tier (only its own: removed), team (autoscaler's too: kept) and env B.
    ok(['apply', '--server-side', '-f', '-'], deployment({ env: ['A'] }));
    obj = getJson('deployment', 'web');
    assert.deepEqual(obj.metadata.labels, { app: 'web', team: 'a' });
    assert.deepEqual(obj.spec.template.spec.containers[0].env, [{ name: 'A', value: 'a' }]);
    // kubectl drops env altogether: the emptied list goes too.
    ok(['apply', '--server-side', '-f', '-'], deployment());
    obj = getJson('deployment', 'web');
    assert.equal(obj.spec.template.spec.containers[0].env, undefined);
    assert.equal(obj.spec.template.spec.containers[0].image, 'nginx:1.25');
  });

  it('records Update managers for other writes, and an apply conflicts with them', () => {
    ok(['label', 'deployment', 'web', '-n', NS, 'owner=ops']);
    const labelled = managers(getJson('deployment', 'web'))['kubectl-label/Update'];
    assert.ok(labelled, 'kubectl label is recorded as an Update by kubectl-label');
    assert.deepEqual(labelled.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:owner': {} } } });
    const stderr = fails(['apply', '--server-side', '-f', '-'], deployment({ labels: { owner: 'dev' } }));
    assert.match(stderr, /Apply failed with 1 conflict: conflict with "kubectl-label" using apps\/v1: \.metadata\.labels\.owner/);

    const created = JSON.parse(ok(['create', 'configmap', 'plain', '-n', NS, '--from-literal=a=1', '-o', 'json', '--show-managed-fields']));
    assert.deepEqual(created.metadata.managedFields.map((e: any) => [e.manager, e.operation, e.apiVersion]), [['kubectl-create', 'Update', 'v1']]);
    assert.deepEqual(created.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:a': {} } });
  });

  it('takes over a client-side-applied object: kubectl migrates the ownership and later applies do not conflict', () => {
    const cm = (value: string, extra: Record<string, string> = {}) => JSON.stringify({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'migrated', namespace: NS }, data: { key: value, ...extra },
    });
    ok(['apply', '-f', '-'], cm('one'));
    assert.ok(managers(getJson('configmap', 'migrated'))['kubectl-client-side-apply/Update']);
    ok(['apply', '--server-side', '-f', '-'], cm('one'));
    const migrated = managers(getJson('configmap', 'migrated'));
    assert.equal(migrated['kubectl-client-side-apply/Update'], undefined, 'kubectl moved the client-side fields to its Apply entry');
    assert.deepEqual(migrated['kubectl/Apply'].fieldsV1['f:data'], { 'f:key': {} });
    ok(['apply', '--server-side', '-f', '-'], cm('two', { more: 'x' }));
    const applied = getJson('configmap', 'migrated');
    assert.deepEqual(applied.data, { key: 'two', more: 'x' });
    assert.deepEqual(JSON.parse(applied.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']),
      JSON.parse(cm('two', { more: 'x' })), 'the server keeps client-side apply\'s record of the configuration');
    // So a client-side apply after it knows that `more` was applied, and removes it.
    ok(['apply', '-f', '-'], cm('three'));
    assert.deepEqual(getJson('configmap', 'migrated').data, { key: 'three' });
  });

  it('keeps at most ten Update managers, folding the oldest into ancient-changes', async () => {
    ok(['create', 'configmap', 'crowded', '-n', NS]);
    for (let i = 1; i <= 12; i++) {
      const answer = await api(server, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/crowded?fieldManager=writer-${String(i).padStart(2, '0')}`,
        { data: { [`k${i}`]: 'v' } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(answer.status, 200, answer.text);
    }
    const entries = getJson('configmap', 'crowded').metadata.managedFields;
    assert.equal(entries.length, 10);
    const ancient = entries.find((e: any) => e.manager === 'ancient-changes');
    assert.ok(ancient, JSON.stringify(entries.map((e: any) => e.manager)));
    assert.equal(ancient.operation, 'Update');
    assert.ok(Object.keys(ancient.fieldsV1['f:data']).length >= 2, 'the folded managers\' fields are kept');
    assert.ok(entries.some((e: any) => e.manager === 'writer-12'));
  });

  it('moves the README tour\'s app from client-side to server-side apply without warnings', () => {
    const app = join(ROOT, 'examples', 'app.yaml');
    ok(['apply', '-f', app]);
    for (let i = 0; i < 2; i++) {
      const result = kubectl(server, ['apply', '--server-side', '-f', app]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '', 'no migration warning');
      assert.match(result.stdout, /service\/web serverside-applied/);
    }
    const service = JSON.parse(ok(['get', 'service', 'web', '-n', 'shop', '-o', 'json']));
    assert.match(service.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/, 'the allocated cluster IP stays');
    ok(['delete', 'namespace', 'shop', '--wait']);
  });

  it('treats a null in an applied configuration as a change of the field: a conflict with its owner, and nothing stored', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps/nulls`;
    const cm = (data: Record<string, string | null>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nulls' }, data });
    const created = await api(server, 'PATCH', `${path}?fieldManager=owner`, cm({ x: '1', gone: null }), APPLY);
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json.data, { x: '1' }, 'a null is not stored');
    const again = await api(server, 'PATCH', `${path}?fieldManager=owner`, cm({ x: '1', gone: null }), APPLY);
    assert.equal(again.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'the same apply again writes nothing');

    const refused = await api(server, 'PATCH', `${path}?fieldManager=intruder`, cm({ x: null }), APPLY);
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.message, 'Apply failed with 1 conflict: conflict with "owner": .data.x');
    const forced = await api(server, 'PATCH', `${path}?fieldManager=intruder&force=true`, cm({ x: null }), APPLY);
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.json.data?.x, undefined);
  });

  it('refuses a uid that is not the object\'s, as upstream', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps/uids`;
    const cm = (uid?: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uids', ...(uid ? { uid } : {}) }, data: { a: '1' } });
    const missing = await api(server, 'PATCH', `${path}?fieldManager=t`, cm('abc'), APPLY);
    assert.equal(missing.status, 409, missing.text);
    assert.equal(missing.json.message, 'Operation cannot be fulfilled on configmaps "uids": uid mismatch: the provided object specified uid abc, and no existing object was found');
    const created = await api(server, 'PATCH', `${path}?fieldManager=t`, cm(), APPLY);
    assert.equal(created.status, 201);
    const applied = await api(server, 'PATCH', `${path}?fieldManager=t`, cm('abc'), APPLY);
    assert.equal(applied.status, 422, applied.text);
    assert.equal(applied.json.message, 'ConfigMap "uids" is invalid: metadata.uid: Invalid value: "abc": field is immutable');
    const put = await api(server, 'PUT', path, { ...JSON.parse(cm('abc')), metadata: { name: 'uids', uid: 'abc', namespace: NS } });
    assert.equal(put.status, 409, put.text);
    assert.equal(put.json.message, `Operation cannot be fulfilled on configmaps "uids": Precondition failed: UID in precondition: abc, UID in object meta: ${created.json.metadata.uid}`);
    assert.equal((await api(server, 'GET', path)).json.metadata.uid, created.json.metadata.uid);
  });

  it('answers bad apply requests with upstream\'s errors and changes nothing', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps/bad`;
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { a: '1' } });
    const cases: [string, string, string | undefined, number, string, string][] = [
      ['no field manager', path, body, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
      ['managedFields sent', `${path}?fieldManager=t`, JSON.stringify({ ...JSON.parse(body), metadata: { name: 'bad', managedFields: [] } }), 400, 'BadRequest', 'metadata.managedFields must be nil'],
      ['another kind', `${path}?fieldManager=t`, JSON.stringify({ ...JSON.parse(body), kind: 'Secret' }), 400, 'BadRequest', 'invalid object type: /v1, Kind=Secret'],
      ['no type meta', `${path}?fieldManager=t`, JSON.stringify({ metadata: { name: 'bad' } }), 400, 'BadRequest', 'invalid object type: /, Kind='],
      ['another name', `${path}?fieldManager=t`, JSON.stringify({ ...JSON.parse(body), metadata: { name: 'other' } }), 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (bad)'],
      ['no name on create', `${path}?fieldManager=t`, JSON.stringify({ ...JSON.parse(body), metadata: {} }), 400, 'BadRequest', 'the name of the object (bad based on URL) was undeterminable: name must be provided'],
      ['an unknown field', `${path}?fieldManager=t&fieldValidation=Strict`, JSON.stringify({ ...JSON.parse(body), spec: 1 }), 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"'],
      ['a manager name too long', `${path}?fieldManager=${'m'.repeat(129)}`, body, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes'],
      ['a control character in the manager', `${path}?fieldManager=a%01b`, body, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\u0001b": invalid character U+0001 (at position 1)'],
      ['a keyed item without its key', '/apis/apps/v1/namespaces/ssa/deployments/bad?fieldManager=t', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), 400, 'BadRequest', 'failed to create typed patch object (apps/v1, Kind=Deployment): associative list with keys has an element that omits key field "name"'],
      ['a null in a set', `/api/v1/namespaces/${NS}/pods/bad?fieldManager=t`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', finalizers: ['a', null] } }), 400, 'BadRequest', 'failed to create typed patch object (/v1, Kind=Pod): associative list without keys has an element that\'s an explicit null'],
      ['malformed YAML', `${path}?fieldManager=t`, 'a: [', 400, 'BadRequest', ''],
    ];
    for (const [what, url, data, code, reason, message] of cases) {
      const answer = await api(server, 'PATCH', url, data, APPLY);
      assert.equal(answer.status, code, `${what}: ${answer.text}`);
      assert.equal(answer.json.kind, 'Status', what);
      assert.equal(answer.json.reason, reason, what);
      if (message) assert.equal(answer.json.message, message, what);
      else assert.match(answer.json.message, /^error decoding YAML: /, what);
    }
    const forced = await api(server, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/plain?force=true`, { data: { b: '2' } },
      { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(forced.status, 422);
    assert.equal(forced.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    assert.equal((await api(server, 'GET', path)).status, 404, 'nothing was created');
    assert.equal((await api(server, 'GET', `/api/v1/namespaces/${NS}/configmaps/plain`)).json.data.b, undefined);
  });

  it('applies with dry-run without writing, and through kubectl 1.27', () => {
    const cm = (value: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old-kubectl', namespace: NS }, data: { v: value } });
    ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], cm('1'));
    assert.equal(kubectl(server, ['get', 'configmap', 'old-kubectl', '-n', NS]).code, 1);
    assert.match(ok(['apply', '--server-side', '-f', '-'], cm('1'), KUBECTL_127), /configmap\/old-kubectl serverside-applied/);
    ok(['apply', '--server-side', '-f', '-'], cm('2'), KUBECTL_127);
    assert.equal(getJson('configmap', 'old-kubectl').data.v, '2');
  });

  it('merges keyed lists of custom resources by their x-kubernetes-list-map-keys', () => {
    ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
            parts: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
              items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { type: 'integer' } } } },
            tags: { type: 'array', items: { type: 'string' } },
          } } } } },
        }],
      },
    }));
    ok(['wait', '--for=condition=Established', 'crd/widgets.example.com']);
    const widget = (manager: string, parts: object[]) => ok(['apply', '--server-side', '--field-manager', manager, '-f', '-'],
      JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS }, spec: { parts } }));
    widget('a', [{ name: 'x', size: 1 }]);
    widget('b', [{ name: 'y', size: 2 }]);
    const obj = getJson('widget', 'w');
    assert.deepEqual(obj.spec.parts, [{ name: 'x', size: 1 }, { name: 'y', size: 2 }], 'both managers\' items are kept');
    widget('b', []);
    assert.deepEqual(getJson('widget', 'w').spec.parts, [{ name: 'x', size: 1 }]);
  });
});
