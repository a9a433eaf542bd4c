import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../registry/objects.ts';
import { applyOverrides } from './overrides.ts';

const member1: KObject = { metadata: { name: 'member1', labels: { env: 'prod' } }, spec: { region: 'eu', zones: ['eu-1'] } };
const member2: KObject = { metadata: { name: 'member2', labels: { env: 'dev' } }, spec: { region: 'us' } };

function deployment(extra: KObject = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' }, annotations: { owner: 'team-a' } },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.27', command: ['nginx', '-g'], args: ['daemon off;'] },
            { name: 'sidecar', image: 'registry.example.com:5000/tools/proxy@sha256:' + 'a'.repeat(64) },
          ],
        },
      },
    },
    ...extra,
  };
}

function op(name: string, overriders: KObject, spec: KObject = {}, namespace = 'default'): KObject {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1', kind: 'OverridePolicy', metadata: { name, namespace },
    spec: { overrideRules: [{ overriders }], ...spec },
  };
}

function cop(name: string, overriders: KObject, spec: KObject = {}): KObject {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterOverridePolicy', metadata: { name },
    spec: { overrideRules: [{ overriders }], ...spec },
  };
}

function apply(template: KObject, overridePolicies: KObject[], clusterOverridePolicies: KObject[] = [], cluster = member1) {
  return applyOverrides(template, cluster, { overridePolicies, clusterOverridePolicies });
}

function images(manifest: KObject): string[] {
  return manifest.spec.template.spec.containers.map((c: KObject) => c.image);
}

function imageOverride(image: string, component: string, operator: string, value?: string): string {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image }] } };
  const { manifest } = apply(pod, [op('img', { imageOverrider: [{ component, operator, ...(value === undefined ? {} : { value }) }] })]);
  return manifest.spec.containers[0].image;
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

describe('applyOverrides', () => {
  it('leaves the template alone and reports nothing without matching policies', () => {
    const template = deployment();
    const out = apply(template, [op('other', { labelsOverrider: [{ operator: 'add', value: { x: 'y' } }] },
      { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' }] })]);
    assert.deepEqual(out, { manifest: deployment(), applied: [] });
  });

  it('plaintext: add, replace and remove by JSON pointer, without touching the template', () => {
    const template = deployment();
    const { manifest, applied } = apply(template, [op('plain', { plaintext: [
      { path: '/spec/replicas', operator: 'replace', value: 3 },
      { path: '/metadata/annotations/owner', operator: 'remove' },
      { path: '/spec/template/spec/containers/0/env', operator: 'add', value: [{ name: 'A', value: 'b' }] },
    ] })]);
    assert.equal(manifest.spec.replicas, 3);
    assert.deepEqual(manifest.metadata.annotations, {});
    assert.deepEqual(manifest.spec.template.spec.containers[0].env, [{ name: 'A', value: 'b' }]);
    assert.deepEqual(template, deployment());
    assert.deepEqual(applied, [{ policyName: 'plain', namespace: 'default', overriders: { plaintext: [
      { path: '/spec/replicas', operator: 'replace', value: 3 },
      { path: '/metadata/annotations/owner', operator: 'remove' },
      { path: '/spec/template/spec/containers/0/env', operator: 'add', value: [{ name: 'A', value: 'b' }] },
    ] } }]);
  });

  it('plaintext errors name the policy and the cluster; replace of a missing member fails as json-patch v5 does', () => {
    const plaintext = (path: string, operator: string, value: unknown) => ({ plaintext: [{ path, operator, value }] });
    assert.equal(failure(() => apply(deployment(), [op('bad', plaintext('/spec/missing/x', 'add', 1))])),
      'applying OverridePolicy default/bad for cluster member1: add operation does not apply: doc is missing path: "/spec/missing/x": '
        + 'missing value');
    assert.match(failure(() => apply(deployment(), [], [cop('bad', plaintext('/spec/paused', 'replace', true))])),
      /^applying ClusterOverridePolicy bad for cluster member1: replace operation does not apply: doc is missing key: \/spec\/paused/);
    assert.match(failure(() => apply(deployment(), [op('bad', plaintext('spec/replicas', 'replace', 1))])),
      /doc is missing path: spec\/replicas/);
  });

  describe('imageOverrider', () => {
    it('rewrites the registry, repository and tag of every container of the workload kinds', () => {
      const registry = { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.io' }] };
      const { manifest } = apply(deployment(), [op('img', registry)]);
      assert.deepEqual(images(manifest), ['mirror.io/nginx:1.27', `mirror.io/tools/proxy@sha256:${'a'.repeat(64)}`]);
      for (const kind of ['ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job']) {
        const out = apply(deployment({ kind }), [op('img', { imageOverrider: [{ component: 'Tag', operator: 'replace', value: 'v2' }] })]);
        assert.deepEqual(images(out.manifest), ['nginx:v2', 'registry.example.com:5000/tools/proxy:v2'], kind);
      }
    });

    it('parses images as upstream: a first segment is a registry only with a dot, a port or localhost', () => {
      assert.equal(imageOverride('library/nginx:1.0', 'Registry', 'add', 'docker.io'), 'docker.io/library/nginx:1.0');
      assert.equal(imageOverride('localhost/app', 'Registry', 'remove'), 'app');
      assert.equal(imageOverride('10.0.0.1:5000/team/app:v1', 'Registry', 'remove'), 'team/app:v1');
      assert.equal(imageOverride('quay.io/team/app:v1', 'Registry', 'add', '.cn'), 'quay.io.cn/team/app:v1');
      assert.equal(imageOverride('quay.io/team/app:v1', 'Repository', 'replace', 'other/app'), 'quay.io/other/app:v1');
      assert.equal(imageOverride('quay.io/team/app:v1', 'Repository', 'add', '-debug'), 'quay.io/team/app-debug:v1');
      assert.equal(imageOverride('nginx', 'Tag', 'add', 'latest'), 'nginx:latest');
      assert.equal(imageOverride('nginx:1.27', 'Tag', 'add', '-alpine'), 'nginx:1.27-alpine');
      assert.equal(imageOverride('nginx:1.27', 'Tag', 'remove'), 'nginx');
      assert.equal(imageOverride('nginx:1.27', 'Tag', 'replace', `sha256:${'b'.repeat(64)}`), `nginx@sha256:${'b'.repeat(64)}`);
      assert.equal(imageOverride(`nginx@sha256:${'b'.repeat(64)}`, 'Tag', 'replace', 'v1'), 'nginx:v1');
      // A value that is neither a tag nor a digest leaves the tag alone.
      assert.equal(imageOverride('nginx:1.27', 'Tag', 'replace', 'not/a/tag'), 'nginx:1.27');
      // With both a tag and a digest, upstream keeps the tag only.
      assert.equal(imageOverride(`nginx:1.27@sha256:${'b'.repeat(64)}`, 'Tag', 'add', ''), 'nginx:1.27');
    });

    it('refuses images that do not parse, with the reference parser errors', () => {
      assert.match(failure(() => imageOverride('Nginx', 'Tag', 'add', 'x')),
        /failed to parse image value\(Nginx\), error: repository name must be lowercase$/);
      assert.match(failure(() => imageOverride('nginx:', 'Tag', 'add', 'x')), /error: invalid reference format$/);
      assert.match(failure(() => imageOverride('', 'Tag', 'add', 'x')), /error: repository name must have at least one component$/);
      assert.match(failure(() => imageOverride(`nginx@sha256:${'b'.repeat(40)}`, 'Tag', 'add', 'x')), /invalid checksum digest length$/);
    });

    it('follows a predicate path, list segments taking an index, and ignores kinds without default paths', () => {
      const crd = { apiVersion: 'example.com/v1', kind: 'App', metadata: { name: 'a', namespace: 'default' },
        spec: { workers: [{ image: 'worker:1' }, { image: 'worker:2' }] } };
      const tag = { component: 'Tag', operator: 'replace', value: 'v9' };
      const override = (path: string) => apply(crd, [op('img', { imageOverrider: [{ predicate: { path }, ...tag }] })]);
      assert.deepEqual(override('/spec/workers/1/image').manifest.spec.workers, [{ image: 'worker:1' }, { image: 'worker:v9' }]);
      assert.match(failure(() => override('/spec/workers/x/image')),
        /failed to obtain imageValue with predicate path\(\/spec\/workers\/x\/image\), error: path\(x\) of rawObj's is not number/);
      assert.match(failure(() => override('/spec/workers')), /failed to convert path\(workers\) to string/);
      const untouched = apply(crd, [op('img', { imageOverrider: [tag] })]);
      assert.deepEqual(untouched.manifest, crd);
      // CronJob has no default image path upstream.
      const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'default' },
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } } };
      assert.deepEqual(apply(cronJob, [op('img', { imageOverrider: [tag] })]).manifest, cronJob);
    });
  });

  describe('commandOverrider and argsOverrider', () => {
    it('append to and remove from the named container only', () => {
      const { manifest } = apply(deployment(), [op('cmd', {
        commandOverrider: [{ containerName: 'nginx', operator: 'add', value: ['-c', '/etc/nginx.conf'] }],
        argsOverrider: [
          { containerName: 'nginx', operator: 'remove', value: ['daemon off;'] },
          { containerName: 'sidecar', operator: 'add', value: ['--verbose'] },
        ],
      })]);
      const [nginx, sidecar] = manifest.spec.template.spec.containers;
      assert.deepEqual(nginx.command, ['nginx', '-g', '-c', '/etc/nginx.conf']);
      assert.deepEqual(nginx.args, []);
      assert.equal(sidecar.command, undefined);
      assert.deepEqual(sidecar.args, ['--verbose']);
    });

    it('apply to Pods, and not to Jobs (as upstream)', () => {
      const pod = {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      };
      const overriders = { commandOverrider: [{ containerName: 'c', operator: 'add', value: ['sleep', '3600'] }] };
      assert.deepEqual(apply(pod, [op('cmd', overriders)]).manifest.spec.containers[0].command, ['sleep', '3600']);
      const job = deployment({ kind: 'Job', apiVersion: 'batch/v1' });
      const command = { commandOverrider: [{ containerName: 'nginx', operator: 'add', value: ['x'] }] };
      assert.deepEqual(apply(job, [op('cmd', command)]).manifest, job);
    });
  });

  describe('labelsOverrider and annotationsOverrider', () => {
    it('add (creating the map), replace and remove only existing keys, keys with a slash included', () => {
      const template = deployment();
      delete template.metadata.labels;
      template.metadata.annotations['example.com/team'] = 'a';
      const { manifest } = apply(template, [op('meta', {
        labelsOverrider: [{ operator: 'add', value: { 'app.kubernetes.io/name': 'nginx', tier: 'web' } }],
        annotationsOverrider: [
          { operator: 'replace', value: { owner: 'team-b', missing: 'x' } },
          { operator: 'remove', value: { 'example.com/team': '', absent: '' } },
        ],
      })]);
      assert.deepEqual(manifest.metadata.labels, { 'app.kubernetes.io/name': 'nginx', tier: 'web' });
      assert.deepEqual(manifest.metadata.annotations, { owner: 'team-b' });
    });
  });

  describe('fieldOverrider', () => {
    const configMap = (data: KObject): KObject => ({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data,
    });

    it('patches YAML held in a string field and writes it back sorted, as sigs.k8s.io/yaml does', () => {
      const cm = configMap({ 'config.yaml': 'server:\n  port: 80\n  host: a\nfeatures: [x]\n' });
      const { manifest } = apply(cm, [op('field', { fieldOverrider: [{ fieldPath: '/data/config.yaml', yaml: [
        { subPath: '/server/port', operator: 'replace', value: 8080 },
        { subPath: '/features/-', operator: 'add', value: 'y' },
      ] }] })]);
      assert.equal(manifest.data['config.yaml'], 'features:\n- x\n- y\nserver:\n  host: a\n  port: 8080\n');
    });

    it('patches JSON held in a string field, key order kept', () => {
      const cm = configMap({ 'db.json': '{"db":{"name":"old","pool":5}}' });
      const { manifest } = apply(cm, [op('field', { fieldOverrider: [{ fieldPath: '/data/db.json', json: [
        { subPath: '/db/name', operator: 'replace', value: 'new' },
        { subPath: '/db/pool', operator: 'remove' },
      ] }] })]);
      assert.equal(manifest.data['db.json'], '{"db":{"name":"new"}}');
    });

    it('fails on a missing or non-string field and on a missing sub path', () => {
      const cm = configMap({ 'db.json': '{"db":{}}', n: 1 } as KObject);
      const field = (fieldPath: string, subPath = '/db/name') =>
        apply(cm, [op('field', { fieldOverrider: [{ fieldPath, json: [{ subPath, operator: 'replace', value: 'x' }] }] })]);
      assert.match(failure(() => field('/data/other')), /object has no key "other"$/);
      assert.match(failure(() => field('/data/n')), /Get object's value by overrider's path\(\/data\/n\) is not string$/);
      assert.match(failure(() => field('/data/db.json')), /replace operation does not apply: doc is missing key: \/db\/name/);
    });
  });

  it('applies a rule\'s overriders in upstream\'s order: image, command, args, labels, annotations, field, plaintext', () => {
    const { manifest } = apply(deployment(), [op('order', {
      plaintext: [
        { path: '/spec/template/spec/containers/0/image', operator: 'replace', value: 'final:1' },
        { path: '/metadata/labels/seen', operator: 'add', value: 'plain' },
        { path: '/metadata/annotations/config', operator: 'replace', value: '{"v":"plain"}' },
      ],
      fieldOverrider: [{ fieldPath: '/metadata/annotations/config', json: [{ subPath: '/v', operator: 'replace', value: 'field' }] }],
      annotationsOverrider: [{ operator: 'add', value: { config: '{"v":"annotations"}' } }],
      labelsOverrider: [{ operator: 'add', value: { seen: 'labels' } }],
      imageOverrider: [{ component: 'Tag', operator: 'replace', value: 'from-image' }],
    })]);
    assert.equal(manifest.spec.template.spec.containers[0].image, 'final:1');
    assert.equal(manifest.metadata.labels.seen, 'plain');
    assert.equal(manifest.metadata.annotations.config, '{"v":"plain"}');
  });

  it('matches rules to clusters by targetCluster; the deprecated targetCluster/overriders pair is one rule', () => {
    const label = (key: string) => ({ labelsOverrider: [{ operator: 'add', value: { [key]: '1' } }] });
    const policy = op('rules', {}, { overrideRules: [
      { targetCluster: { clusterNames: ['member1'] }, overriders: label('a') },
      { targetCluster: { labelSelector: { matchLabels: { env: 'dev' } } }, overriders: label('b') },
      { targetCluster: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } },
        overriders: label('c') },
      { overriders: label('all') },
    ] });
    const one = apply(deployment(), [policy], [], member1);
    assert.deepEqual(one.manifest.metadata.labels, { app: 'nginx', a: '1', c: '1', all: '1' });
    assert.equal(one.applied.length, 3);
    assert.deepEqual(apply(deployment(), [policy], [], member2).manifest.metadata.labels, { app: 'nginx', b: '1', all: '1' });

    const deprecated: KObject = {
      metadata: { name: 'old', namespace: 'default' },
      spec: {
        targetCluster: { exclude: ['member2'] },
        overriders: { plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 5 }] },
      },
    };
    assert.equal(apply(deployment(), [deprecated], [], member1).manifest.spec.replicas, 5);
    assert.deepEqual(apply(deployment(), [deprecated], [], member2).applied, []);
    // Without rules or overriders a selecting policy still counts as applied, with empty overriders.
    assert.deepEqual(apply(deployment(), [{ metadata: { name: 'empty', namespace: 'default' }, spec: {} }]).applied,
      [{ policyName: 'empty', namespace: 'default', overriders: {} }]);
  });

  it('orders policies by implicit priority (all, label selector, name), then by name, the last one winning', () => {
    const set = (value: string) => ({ plaintext: [{ path: '/spec/replicas', operator: 'replace', value }] });
    const selecting = (selector: KObject) => ({ resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', ...selector }] });
    const byName = op('a-by-name', set('name'), selecting({ name: 'nginx' }));
    const byLabel = op('b-by-label', set('label'), selecting({ labelSelector: { matchLabels: { app: 'nginx' } } }));
    const byKind = op('c-by-kind', set('kind'), selecting({}));
    const everything = op('d-everything', set('everything'));
    const everything2 = op('e-everything', set('everything2'));
    const out = apply(deployment(), [byName, everything2, byLabel, everything, byKind]);
    assert.deepEqual(out.applied.map((a) => a.policyName), ['c-by-kind', 'd-everything', 'e-everything', 'b-by-label', 'a-by-name']);
    assert.equal(out.manifest.spec.replicas, 'name');
  });

  it('applies ClusterOverridePolicies before OverridePolicies, which see the result', () => {
    const clusterWide = cop('global', { labelsOverrider: [{ operator: 'add', value: { stage: 'global' } }] });
    const local = op('local', { labelsOverrider: [{ operator: 'replace', value: { stage: 'local' } }] },
      { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { stage: 'global' } } }] });
    const out = apply(deployment(), [local], [clusterWide]);
    assert.equal(out.manifest.metadata.labels.stage, 'local');
    assert.deepEqual(out.applied.map((a) => [a.policyName, a.namespace]), [['global', undefined], ['local', 'default']]);
    assert.equal('namespace' in out.applied[0]!, false);
  });

  it('scopes OverridePolicies to the template namespace and skips them for cluster-scoped templates', () => {
    const other = op('elsewhere', { labelsOverrider: [{ operator: 'add', value: { x: '1' } }] }, {}, 'other');
    assert.deepEqual(apply(deployment(), [other]).applied, []);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } };
    const local = op('local', { labelsOverrider: [{ operator: 'add', value: { x: '1' } }] });
    const global = cop('global', { labelsOverrider: [{ operator: 'add', value: { y: '1' } }] },
      { resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace' }] });
    const out = apply(ns, [local], [global]);
    assert.deepEqual(out.manifest.metadata.labels, { y: '1' });
    assert.deepEqual(out.applied.map((a) => a.policyName), ['global']);
  });
});
