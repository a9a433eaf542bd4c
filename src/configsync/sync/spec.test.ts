// A RootSync's spec with upstream's defaults and KNV1061 texts; the metadata a synced object carries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRootSyncSpec } from './spec.ts';
import { managerOf, resourceId } from './works.ts';

describe('readRootSyncSpec', () => {
  it('defaults as upstream: hierarchy, branch master, revision HEAD (the branch is fetched), dir ".", period 15s', () => {
    assert.deepEqual(readRootSyncSpec({ spec: { git: { repo: 'https://example.com/r.git', auth: 'none' } } }), {
      format: 'hierarchy', repo: 'https://example.com/r.git', ref: 'master',
      gitStatus: { repo: 'https://example.com/r.git', revision: 'HEAD', branch: 'master', dir: '.' }, periodMs: 15_000,
    });
  });

  it('a revision other than HEAD is fetched instead of the branch; period is a Go duration; token auth names its Secret', () => {
    const spec = readRootSyncSpec({ spec: { sourceFormat: 'unstructured', git: {
      repo: 'r', branch: 'main', revision: 'v1.2.0', dir: 'config', period: '1m30s', auth: 'token', secretRef: { name: 'git-creds' },
    } } });
    assert.ok(!('invalid' in spec));
    assert.deepEqual([spec.format, spec.ref, spec.periodMs, spec.tokenSecret, spec.gitStatus.dir], ['unstructured', 'v1.2.0', 90_000, 'git-creds', 'config']);
  });

  it('reports what is missing with upstream\'s KNV1061 texts', () => {
    assert.deepEqual(readRootSyncSpec({ spec: {} }), { invalid: 'RootSyncs must specify spec.git when spec.sourceType is "git"' });
    assert.deepEqual(readRootSyncSpec({ spec: { git: { auth: 'none' } } }),
      { invalid: 'RootSyncs must specify spec.git.repo when spec.sourceType is "git"' });
    assert.match((readRootSyncSpec({ spec: { git: { repo: 'r', auth: 'none', period: 'soon' } } }) as { invalid: string }).invalid,
      /spec\.git\.period/);
  });
});

describe('synced object metadata', () => {
  it('resource ids as upstream\'s core.GKNN', () => {
    assert.equal(resourceId({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } }), '_configmap_ns_cm');
    assert.equal(resourceId({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } }),
      'rbac.authorization.k8s.io_clusterrole_reader');
  });

  it('managers as upstream\'s declared.ReconcilerManager', () => {
    assert.equal(managerOf('root-sync'), ':root');
    assert.equal(managerOf('platform'), ':root_platform');
  });
});
