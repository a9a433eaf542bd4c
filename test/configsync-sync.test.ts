// Syncing a Config Sync repo with a RootSync, end to end: a real control plane, two real members, a Git repo made
// with the git CLI (the example repo of examples/config-sync), kubectl. Each commit changes the members as the
// namespace-inheritance page says; a commit with errors changes nothing and shows its KNV errors in status.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memberGet, startFederation, type Federation } from './support/federation.ts';
import { commitAll, initRepo } from './support/git.ts';
import { api, kubectlOk, lines, removeDir, ROOT, type RunningServer, tempDir, waitFor } from './support/server.ts';

const NS = 'config-management-system';
const ROOT_SYNC = '/apis/configsync.gke.io/v1beta1/namespaces/config-management-system/rootsyncs/root-sync';
const BACKEND = 'namespaces/online/shipping-app-backend';

let f: Federation;
let cp: RunningServer;
let m1: RunningServer;
let m2: RunningServer;
let repo: string;

async function rootSync(): Promise<any> {
  return (await api(cp, 'GET', ROOT_SYNC)).json;
}

/** Waits until the RootSync reports commit synced to every cluster; returns the RootSync. */
async function waitSynced(commit: string): Promise<any> {
  let last: any;
  return waitFor(`commit ${commit} synced`, async () => {
    last = await rootSync();
    const syncing = last?.status?.conditions?.find((c: any) => c.type === 'Syncing');
    return last?.status?.lastSyncedCommit === commit && syncing?.status === 'False' && syncing.message === 'Sync Completed'
      && last.status.clusters?.every((c: any) => c.commit === commit) ? last : undefined;
  }, 60_000).catch((e) => { throw new Error(`${e.message}; last status ${JSON.stringify(last?.status)}`); });
}

/** Waits until the RootSync reports errors for commit; returns the RootSync. */
async function waitSourceErrors(commit: string): Promise<any> {
  return waitFor(`source errors of ${commit}`, async () => {
    const rs = await rootSync();
    return rs?.status?.source?.commit === commit && rs.status.source.errors?.length ? rs : undefined;
  }, 60_000);
}

function namespaceOn(member: RunningServer, name: string): any {
  return memberGet(member, ['namespace', name]);
}

function treeNamespaces(member: RunningServer): string[] {
  return lines(kubectlOk(member, ['get', 'namespaces', '-l', 'root.tree.hnc.x-k8s.io/depth', '-o', 'name'])).sort();
}

/** A namespace's tree labels, sorted by key. */
function treeLabels(ns: any): Record<string, string> {
  return Object.fromEntries(Object.entries(ns?.metadata.labels ?? {}).filter(([k]) => k.endsWith('.tree.hnc.x-k8s.io/depth')).sort()) as Record<string, string>;
}

async function waitGone(member: RunningServer, args: string[]): Promise<void> {
  await waitFor(`${args.join(' ')} gone from ${member.dir}`, () => (memberGet(member, args) === undefined ? true : undefined), 60_000);
}

function write(path: string, text: string): void {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
}

describe('RootSync: a hierarchical repo synced to every member', { timeout: 600_000 }, () => {
  let first: string;

  before(async () => {
    f = await startFederation(['m1', 'm2']);
    cp = f.cp;
    m1 = f.members.m1!;
    m2 = f.members.m2!;
    repo = tempDir('canopy-configsync-repo-');
    first = initRepo(repo, join(ROOT, 'examples', 'config-sync'));
    // The example's ClusterSelector selects environment: prod; the control plane's Cluster labels decide.
    kubectlOk(cp, ['label', 'cluster', 'm1', 'environment=prod']);
    kubectlOk(cp, ['apply', '-f', '-'], {
      input: `apiVersion: configsync.gke.io/v1beta1
kind: RootSync
metadata:
  name: root-sync
  namespace: ${NS}
spec:
  sourceFormat: hierarchy
  git:
    repo: file://${repo}
    branch: main
    period: 1s
    auth: none
`,
    });
  });

  after(async () => {
    await f?.stop();
    if (repo) removeDir(repo);
  });

  it('syncs the example to both members: namespaces, inherited objects, tree labels and Config Sync metadata', async () => {
    const rs = await waitSynced(first);
    assert.equal(rs.spec.sourceType, 'git');
    assert.deepEqual(rs.status.source.gitStatus, { repo: `file://${repo}`, revision: 'HEAD', branch: 'main', dir: '.' });
    assert.equal(rs.status.source.commit, first);
    assert.equal(rs.status.sync.commit, first);
    assert.equal(rs.status.source.errors, undefined);
    assert.deepEqual(rs.status.clusters, [{ name: 'm1', commit: first }, { name: 'm2', commit: first }]);
    const table = kubectlOk(cp, ['get', 'rootsyncs', '-n', NS]);
    assert.match(table, /^NAME\s+RENDERINGCOMMIT\s+RENDERINGERRORCOUNT\s+SOURCECOMMIT\s+SOURCEERRORCOUNT\s+SYNCCOMMIT\s+SYNCERRORCOUNT$/m);
    assert.match(table, new RegExp(`^root-sync\\s+${first}\\s+${first}\\s+${first}\\s*$`, 'm'));

    const expected = ['namespace/audit', 'namespace/shipping-dev', 'namespace/shipping-prod', 'namespace/shipping-staging'];
    for (const m of [m1, m2]) {
      await waitFor('the tree namespaces', () => (JSON.stringify(treeNamespaces(m)) === JSON.stringify(expected) ? true : undefined));
      const prod = namespaceOn(m, 'shipping-prod');
      assert.deepEqual(treeLabels(prod), {
        'shipping-prod.tree.hnc.x-k8s.io/depth': '0', 'shipping-app-backend.tree.hnc.x-k8s.io/depth': '1',
        'online.tree.hnc.x-k8s.io/depth': '2', 'root.tree.hnc.x-k8s.io/depth': '3',
      });
      assert.equal(prod.metadata.labels.env, 'prod');
      assert.equal(prod.metadata.annotations.audit, 'true');
      const children = lines(kubectlOk(m, ['get', 'namespaces', '-l', 'shipping-app-backend.tree.hnc.x-k8s.io/depth=1', '-o', 'name']));
      assert.deepEqual(children.sort(), ['namespace/shipping-dev', 'namespace/shipping-prod', 'namespace/shipping-staging']);
      for (const ns of ['shipping-dev', 'shipping-prod', 'shipping-staging']) {
        await waitFor(`pod-creators in ${ns}`, () => memberGet(m, ['rolebinding', 'pod-creators', '-n', ns]));
        await waitFor(`viewers in ${ns}`, () => memberGet(m, ['rolebinding', 'viewers', '-n', ns]));
      }
      await waitFor('job-creators in shipping-dev', () => memberGet(m, ['rolebinding', 'job-creators', '-n', 'shipping-dev']));
      assert.equal(memberGet(m, ['rolebinding', 'job-creators', '-n', 'shipping-prod']), undefined);
      await waitFor('the pod-creator ClusterRole', () => memberGet(m, ['clusterrole', 'pod-creator']));
    }

    const quota = await waitFor('the quota', () => memberGet(m2, ['resourcequota', 'quota', '-n', 'shipping-prod']));
    const a = quota.metadata.annotations;
    assert.equal(a['configmanagement.gke.io/managed'], 'enabled');
    assert.equal(a['configsync.gke.io/resource-id'], '_resourcequota_shipping-prod_quota');
    assert.equal(a['configsync.gke.io/manager'], ':root');
    assert.equal(a['configmanagement.gke.io/token'], first);
    assert.equal(a['configmanagement.gke.io/source-path'], `${BACKEND}/quota.yaml`);
    assert.equal(a['configmanagement.gke.io/cluster-name'], 'm2');
    assert.equal(quota.metadata.labels['app.kubernetes.io/managed-by'], 'configmanagement.gke.io');
    assert.equal(memberGet(m2, ['resourcequota', 'quota', '-n', 'shipping-dev']), undefined, 'shipping-dev is quota-exempt');
    assert.equal(namespaceOn(m1, 'audit').metadata.annotations['configsync.gke.io/resource-id'], '_namespace_audit');
    assert.equal(memberGet(m1, ['clusterrole', 'pod-creator']).metadata.annotations['configsync.gke.io/resource-id'],
      'rbac.authorization.k8s.io_clusterrole_pod-creator');

    // The ClusterSelector: the oncall ConfigMap only on m1, the prod cluster.
    await waitFor('oncall on m1', () => memberGet(m1, ['configmap', 'oncall', '-n', 'shipping-prod']));
    assert.equal(memberGet(m2, ['configmap', 'oncall', '-n', 'shipping-prod']), undefined);

    // The repo's namespaces are global namespaces of the control plane, homed where they were synced.
    const global = JSON.parse(kubectlOk(cp, ['get', 'namespace', 'shipping-prod', '-o', 'json']));
    assert.equal(global.metadata.annotations['canopy.io/homing-clusters'], 'm1,m2');
    assert.equal(global.metadata.labels['online.tree.hnc.x-k8s.io/depth'], '2');
    // A pass that changes nothing writes nothing (the server's own kubernetes.io/metadata.name label included).
    await new Promise((r) => setTimeout(r, 2500)); // past two periods
    const later = JSON.parse(kubectlOk(cp, ['get', 'namespace', 'shipping-prod', '-o', 'json']));
    assert.equal(later.metadata.resourceVersion, global.metadata.resourceVersion);
  });

  it('reverts drift on a member at once', async () => {
    kubectlOk(m2, ['annotate', 'namespace', 'shipping-prod', 'audit=false', '--overwrite']);
    await waitFor('the audit annotation back', () => (namespaceOn(m2, 'shipping-prod')?.metadata.annotations.audit === 'true' ? true : undefined));
  });

  it('deleting a namespace directory deletes the namespace on every member', async () => {
    rmSync(join(repo, BACKEND, 'shipping-staging'), { recursive: true });
    const commit = commitAll(repo, 'delete shipping-staging');
    await waitSynced(commit);
    for (const m of [m1, m2]) await waitGone(m, ['namespace', 'shipping-staging']);
    await waitFor('the global namespace gone', () => (kubectlOk(cp, ['get', 'namespaces', '-o', 'name']).includes('namespace/shipping-staging') ? undefined : true));
  });

  it('renaming a namespace directory deletes the old namespace and creates the new one', async () => {
    renameSync(join(repo, BACKEND, 'shipping-dev'), join(repo, BACKEND, 'shipping-test'));
    write(`${BACKEND}/shipping-test/namespace.yaml`, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shipping-test\n');
    const commit = commitAll(repo, 'rename shipping-dev');
    await waitSynced(commit);
    for (const m of [m1, m2]) {
      await waitGone(m, ['namespace', 'shipping-dev']);
      await waitFor('job-creators in shipping-test', () => memberGet(m, ['rolebinding', 'job-creators', '-n', 'shipping-test']));
      assert.equal(treeLabels(namespaceOn(m, 'shipping-test'))['shipping-app-backend.tree.hnc.x-k8s.io/depth'], '1');
    }
  });

  it('moving an abstract directory changes only tree labels', async () => {
    const before = { ns: namespaceOn(m1, 'shipping-prod').metadata.uid, quota: memberGet(m1, ['resourcequota', 'quota', '-n', 'shipping-prod']).metadata.uid };
    renameSync(join(repo, BACKEND), join(repo, 'namespaces/shipping-app-backend'));
    const commit = commitAll(repo, 'move shipping-app-backend out of online');
    await waitSynced(commit);
    const want = {
      'root.tree.hnc.x-k8s.io/depth': '2', 'shipping-app-backend.tree.hnc.x-k8s.io/depth': '1', 'shipping-prod.tree.hnc.x-k8s.io/depth': '0',
    };
    for (const m of [m1, m2]) {
      await waitFor('the new tree labels', () => (JSON.stringify(treeLabels(namespaceOn(m, 'shipping-prod'))) === JSON.stringify(want) ? true : undefined));
    }
    assert.equal(namespaceOn(m1, 'shipping-prod').metadata.uid, before.ns);
    const quota = memberGet(m1, ['resourcequota', 'quota', '-n', 'shipping-prod']);
    assert.equal(quota.metadata.uid, before.quota);
    assert.equal(quota.metadata.annotations['configmanagement.gke.io/source-path'], 'namespaces/shipping-app-backend/quota.yaml');
  });

  it('a commit with errors changes nothing and shows its KNV errors; the next good commit syncs', async () => {
    const good = (await rootSync()).status.lastSyncedCommit;
    write('namespaces/broken/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: not-broken\n');
    write('namespaces/shipping-app-backend/shipping-prod/extra.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
    const bad = commitAll(repo, 'a namespace in the wrong directory');
    const rs = await waitSourceErrors(bad);
    assert.equal(rs.status.lastSyncedCommit, good);
    assert.equal(rs.status.sync.commit, good);
    assert.deepEqual(rs.status.source.errors.map((e: any) => e.code), ['1020']);
    assert.match(rs.status.source.errors[0].errorMessage, /^KNV1020: A Namespace MUST declare `metadata.name` that matches the name of its directory\./);
    assert.deepEqual(rs.status.source.errorSummary, { totalCount: 1, errorCountAfterTruncation: 1 });
    assert.deepEqual(rs.status.clusters.map((c: any) => [c.name, c.commit, c.errors?.[0]?.code]), [['m1', good, '1020'], ['m2', good, '1020']]);
    const syncing = rs.status.conditions.find((c: any) => c.type === 'Syncing');
    assert.deepEqual([syncing.status, syncing.reason, syncing.errorSourceRefs], ['False', 'Source', ['source']]);
    assert.match(kubectlOk(cp, ['get', 'rootsyncs', '-n', NS]), new RegExp(`^root-sync\\s+${bad}\\s+${bad}\\s+1\\s+${good}\\s*$`, 'm'));
    assert.equal(memberGet(m1, ['configmap', 'extra', '-n', 'shipping-prod']), undefined);
    assert.equal(namespaceOn(m1, 'not-broken'), undefined);

    rmSync(join(repo, 'namespaces/broken'), { recursive: true });
    const fixed = commitAll(repo, 'fix');
    await waitSynced(fixed);
    await waitFor('extra on m1', () => memberGet(m1, ['configmap', 'extra', '-n', 'shipping-prod']));
  });

  it('deleting an abstract directory deletes every namespace below it', async () => {
    write('namespaces/teams/team-a/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
    write('namespaces/teams/team-b/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n');
    rmSync(join(repo, 'namespaces/shipping-app-backend'), { recursive: true });
    const commit = commitAll(repo, 'delete shipping-app-backend, add teams');
    await waitSynced(commit);
    for (const m of [m1, m2]) {
      await waitGone(m, ['namespace', 'shipping-prod']);
      await waitGone(m, ['namespace', 'shipping-test']);
      await waitFor('the tree namespaces', () => (JSON.stringify(treeNamespaces(m))
        === JSON.stringify(['namespace/audit', 'namespace/team-a', 'namespace/team-b']) ? true : undefined));
    }
  });

  it('refuses a commit that would delete every synced namespace (KNV2006)', async () => {
    const good = (await rootSync()).status.lastSyncedCommit;
    rmSync(join(repo, 'namespaces'), { recursive: true });
    const empty = commitAll(repo, 'delete namespaces/');
    const rs = await waitSourceErrors(empty);
    assert.deepEqual(rs.status.source.errors.map((e: any) => e.code), ['2006']);
    assert.match(rs.status.source.errors[0].errorMessage,
      /^KNV2006: mounted git repo appears to contain no managed namespaces, which would delete 3 existing namespaces from the cluster/);
    assert.equal(rs.status.lastSyncedCommit, good);
    for (const m of [m1, m2]) assert.ok(namespaceOn(m, 'team-a'));
  });

  it('mutation: ignore creates but never updates; managed: disabled abandons the object', async () => {
    write('namespaces/viewers-rolebinding.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: viewers\n'
      + 'subjects:\n- kind: Group\n  name: system:serviceaccounts:audit\n  apiGroup: rbac.authorization.k8s.io\n'
      + 'roleRef:\n  kind: ClusterRole\n  name: view\n  apiGroup: rbac.authorization.k8s.io\n');
    write('namespaces/teams/team-a/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
    write('namespaces/teams/team-b/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n');
    write('namespaces/teams/team-a/seed.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\n  annotations:\n'
      + '    client.lifecycle.config.k8s.io/mutation: ignore\ndata:\n  value: declared\n');
    write('namespaces/teams/team-a/legacy.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\ndata:\n  value: declared\n');
    await waitSynced(commitAll(repo, 'teams again, with a seed and a legacy ConfigMap'));
    await waitFor('seed on m1', () => memberGet(m1, ['configmap', 'seed', '-n', 'team-a']));
    kubectlOk(m1, ['patch', 'configmap', 'seed', '-n', 'team-a', '--type=merge', '-p', '{"data":{"value":"changed on the member"}}']);

    write('namespaces/teams/team-a/legacy.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n  annotations:\n'
      + '    configmanagement.gke.io/managed: disabled\ndata:\n  value: declared\n');
    write('namespaces/teams/team-a/seed.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\n  annotations:\n'
      + '    client.lifecycle.config.k8s.io/mutation: ignore\ndata:\n  value: declared again\n');
    const commit = commitAll(repo, 'abandon legacy');
    await waitSynced(commit);
    await waitFor('the legacy Work gone', async () => {
      const list = (await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-m1/works')).json.items;
      return list.some((w: any) => w.metadata.annotations?.['configsync.gke.io/resource-id'] === '_configmap_team-a_legacy') ? undefined : true;
    });
    assert.equal(memberGet(m1, ['configmap', 'legacy', '-n', 'team-a']).data.value, 'declared', 'the abandoned object stays');
    assert.equal(memberGet(m1, ['configmap', 'seed', '-n', 'team-a']).data.value, 'changed on the member');
  });

  it('an unreachable repo is KNV2004 and an invalid spec stalls with KNV1061; neither touches what is synced', async () => {
    kubectlOk(cp, ['apply', '-f', '-'], {
      input: `apiVersion: configsync.gke.io/v1beta1
kind: RootSync
metadata:
  name: unreachable
  namespace: ${NS}
spec:
  git:
    repo: file://${repo}-missing
    auth: none
---
apiVersion: configsync.gke.io/v1beta1
kind: RootSync
metadata:
  name: no-secret
  namespace: ${NS}
spec:
  git:
    repo: file://${repo}
    auth: token
`,
    });
    const path = (name: string) => ROOT_SYNC.replace(/root-sync$/, name);
    const unreachable = await waitFor('KNV2004', async () => (await api(cp, 'GET', path('unreachable'))).json?.status?.source?.errors);
    assert.equal(unreachable[0].code, '2004');
    assert.match(unreachable[0].errorMessage, new RegExp(`^KNV2004: failed to fetch master from file://${repo}-missing: `));
    const stalled = await waitFor('Stalled', async () => (await api(cp, 'GET', path('no-secret'))).json?.status?.conditions
      ?.find((c: any) => c.type === 'Stalled' && c.status === 'True'));
    assert.equal(stalled.reason, 'Validation');
    assert.deepEqual(stalled.errors.map((e: any) => e.errorMessage.split('\n')[0]),
      ['KNV1061: RootSyncs must specify spec.git.secretRef.name when spec.git.auth is "token"']);
    kubectlOk(cp, ['delete', 'rootsync', 'unreachable', 'no-secret', '-n', NS]);
    assert.ok(namespaceOn(m1, 'team-a'));
  });

  it('a control plane killed at any point carries on from its state after a restart', async () => {
    write('namespaces/teams/team-c/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n');
    const commit = commitAll(repo, 'add team-c');
    await f.cp.kill();
    cp = await f.restartControlPlane();
    await waitSynced(commit);
    for (const m of [m1, m2]) await waitFor('team-c', () => namespaceOn(m, 'team-c'));
  });

  it('deleting the RootSync leaves its objects on the members, unmanaged', async () => {
    kubectlOk(cp, ['delete', 'rootsync', 'root-sync', '-n', NS]);
    await waitFor('the Works gone', async () => {
      const list = (await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1/works?labelSelector=configsync.canopy.io%2Froot-sync')).json.items;
      return list.length === 0 ? true : undefined;
    });
    for (const m of [m1, m2]) {
      assert.ok(namespaceOn(m, 'team-c'));
      assert.ok(memberGet(m, ['rolebinding', 'viewers', '-n', 'team-a']));
    }
  });
});
