// Global namespaces end to end: a real control plane, three real members, kubectl and the canopy CLI. Namespaces of
// the control plane are independent of the members'; injection labels follow to the members where the namespace
// exists; NamespaceSync creates and relabels in either direction, never deletes, and reports what it did.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canopy, memberGet, startFederation, type Federation } from './support/federation.ts';
import { api, kubectl, kubectlFails, kubectlOk, type RunningServer, waitFor } from './support/server.ts';

let f: Federation;
let cp: RunningServer;
let m1: RunningServer;
let m2: RunningServer;
let m3: RunningServer;

function ok(args: string[]): string {
  const r = canopy(args, cp);
  assert.equal(r.code, 0, `canopy ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function labelsOn(member: RunningServer, ns: string): Record<string, string> | undefined {
  return memberGet(member, ['namespace', ns])?.metadata.labels;
}

async function waitLabels(member: RunningServer, ns: string, expected: Record<string, string | undefined>): Promise<Record<string, string>> {
  let last: Record<string, string> | undefined;
  return waitFor(`labels ${JSON.stringify(expected)} on namespace ${ns} in ${member.dir}`, () => {
    last = labelsOn(member, ns);
    return last && Object.entries(expected).every(([k, v]) => last![k] === v) ? last : undefined;
  }).catch((e) => { throw new Error(`${e.message}; last ${JSON.stringify(last)}`); });
}

/** The label-sync Work of a namespace for a cluster, once its member has applied it. */
async function waitLabelSyncApplied(ns: string, cluster: string, labels: Record<string, string>): Promise<void> {
  await waitFor(`label sync Work of ${ns} applied on ${cluster}`, async () => {
    const w = (await api(cp, 'GET', `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${cluster}/works/canopy-namespace-${ns}`)).json;
    const manifest = w?.spec?.workload?.manifests?.[0];
    const applied = w?.status?.conditions?.find((c: any) => c.type === 'Applied');
    return JSON.stringify(manifest?.metadata?.labels) === JSON.stringify(labels) && applied?.status === 'True'
      && applied.lastTransitionTime ? true : undefined;
  });
}

async function workGone(ns: string, cluster: string): Promise<void> {
  await waitFor(`label sync Work of ${ns} gone from ${cluster}`, async () =>
    (await api(cp, 'GET', `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${cluster}/works/canopy-namespace-${ns}`)).status === 404 ? true : undefined);
}

function syncJson(args: string[]): { code: number; status: any; stderr: string } {
  const r = canopy(['ns', 'sync', ...args, '--output', 'json'], cp);
  return { code: r.code, status: JSON.parse(r.stdout), stderr: r.stderr };
}

describe('global namespaces', () => {
  before(async () => {
    f = await startFederation(['member1', 'member2', 'member3']);
    ({ cp } = f);
    ({ member1: m1, member2: m2, member3: m3 } = f.members as Record<string, RunningServer>);
  });
  after(async () => { await f?.stop(); });

  describe('validation', () => {
    it('rejects namespace names as upstream does', () => {
      for (const bad of ['Shop', 'shop_1', '-shop', 'shop-', 'a'.repeat(64)]) {
        const err = kubectlFails(cp, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: bad } }) });
        assert.match(err, new RegExp(`The Namespace "${bad}" is invalid: `));
        assert.match(err, new RegExp(`metadata.name: Invalid value: "${bad}": `));
      }
      assert.match(kubectlFails(cp, ['create', 'namespace', 'Shop']),
        /a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character/);
      assert.match(kubectlFails(cp, ['create', 'namespace', 'a'.repeat(64)]), /must be no more than 63 characters/);
      kubectlOk(cp, ['create', 'namespace', `a${'-'.repeat(61)}z`]);
      kubectlOk(cp, ['delete', 'namespace', `a${'-'.repeat(61)}z`]);
    });

    it('rejects homing clusters that are not joined, empty, repeated or malformed, and keeps the namespace as it was', () => {
      kubectlOk(cp, ['create', 'namespace', 'v-home']);
      const cases: Array<[string, RegExp]> = [
        ['member9', /metadata.annotations\[canopy.io\/homing-clusters\]: Invalid value: "member9": cluster "member9" is not joined/],
        ['', /must name at least one cluster/],
        ['member1,member1', /cluster "member1" is listed twice/],
        ['member1,,member2', /a cluster name must not be empty/],
        ['Member_1', /"Member_1" is not a valid cluster name/],
      ];
      for (const [value, message] of cases) {
        const err = kubectlFails(cp, ['annotate', 'namespace', 'v-home', `canopy.io/homing-clusters=${value}`]);
        assert.match(err, /The Namespace "v-home" is invalid/);
        assert.match(err, message);
      }
      assert.equal(JSON.parse(kubectlOk(cp, ['get', 'ns', 'v-home', '-o', 'json'])).metadata.annotations?.['canopy.io/homing-clusters'], undefined);
      kubectlOk(cp, ['annotate', 'namespace', 'v-home', 'canopy.io/homing-clusters=member1, member2']);
      const r = canopy(['ns', 'homing', 'v-home', '--clusters', 'member1,nope'], cp);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /cluster "nope" is not joined/);
      assert.match(ok(['ns', 'homing', 'v-home', '--all']), /homing clusters: all joined clusters/);
      assert.match(ok(['ns', 'homing', 'v-home', '--clusters', 'member2']), /homing clusters: member2$/m);
    });

    it('warns, with kubectl and the CLI, when Istio would ignore a label', () => {
      const r = kubectl(cp, ['create', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'v-both', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' } } }),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: namespace "v-both": both istio-injection and istio.io\/rev are set: Istio ignores istio.io\/rev=canary/);
      const shown = canopy(['ns', 'inject', 'v-both'], cp);
      assert.equal(shown.code, 0);
      assert.match(shown.stdout, /namespace "v-both": sidecar injection enabled \(revision default, istio-injection=enabled\)/);
      assert.match(shown.stderr, /Warning: .*Istio ignores istio.io\/rev=canary/);
      // Choosing a revision removes istio-injection, which clears the warning.
      const fixed = canopy(['ns', 'inject', 'v-both', '--revision', 'canary', '--output', 'json'], cp);
      assert.deepEqual(JSON.parse(fixed.stdout).labels, { 'istio.io/rev': 'canary' });
      assert.equal(fixed.stderr, '');
    });

    it('rejects NamespaceSyncs that miss what their direction needs, or change', async () => {
      const post = (spec: object) => api(cp, 'POST', '/apis/canopy.io/v1alpha1/namespacesyncs',
        { apiVersion: 'canopy.io/v1alpha1', kind: 'NamespaceSync', metadata: { generateName: 'v-' }, spec });
      const cases: Array<[object, RegExp]> = [
        [{ direction: 'FromCluster' }, /spec.cluster: Required value: FromCluster needs the cluster to read from/],
        [{ direction: 'Restart' }, /spec.namespaces: Required value: Restart needs the namespaces to restart/],
        [{ direction: 'Sideways' }, /spec.direction: Unsupported value: "Sideways"/],
        [{ direction: 'ToClusters', namespaces: ['Bad'] }, /spec.namespaces\[0\]: Invalid value: "Bad"/],
      ];
      for (const [spec, message] of cases) {
        const r = await post(spec);
        assert.equal(r.status, 422, JSON.stringify(spec));
        assert.equal(r.json.reason, 'Invalid');
        assert.match(r.json.message, message);
      }
      const created = await post({ direction: 'ToClusters', namespaces: ['v-nothing'] });
      assert.equal(created.status, 201);
      const name = created.json.metadata.name;
      const changed = await api(cp, 'PATCH', `/apis/canopy.io/v1alpha1/namespacesyncs/${name}`, { spec: { direction: 'Restart', namespaces: ['x'] } },
        { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(changed.status, 422);
      assert.match(changed.json.message, /spec: Forbidden: a NamespaceSync is one operation/);
    });

    it('the CLI says in one line what is missing', () => {
      for (const [args, message] of [
        [['ns', 'sync'], /choose one of --from CLUSTER and --to-clusters/],
        [['ns', 'inject', 'nowhere', '--enable'], /namespace "nowhere" not found in the control plane/],
        [['ns', 'inject', 'v-home', '--enable', '--disable'], /choose one of --enable, --disable and --revision/],
        [['ns', 'sync', '--from', 'member9'], /cluster "member9" is not joined/],
      ] as Array<[string[], RegExp]>) {
        const r = canopy(args, cp);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('error')).length, 1, r.stderr);
      }
    });
  });

  describe('label sync', () => {
    it('creating and labelling a namespace in the control plane creates nothing in the members', async () => {
      ok(['ns', 'create', 'shop', '--label', 'team=a']);
      ok(['ns', 'inject', 'shop', '--enable']);
      for (const cluster of ['member1', 'member2', 'member3']) await waitLabelSyncApplied('shop', cluster, { 'istio-injection': 'enabled' });
      for (const m of [m1, m2, m3]) assert.equal(memberGet(m, ['namespace', 'shop']), undefined);
    });

    it('injection changes reach the members where the namespace exists, and nothing else of it', async () => {
      kubectlOk(m1, ['create', 'namespace', 'web']);
      kubectlOk(m1, ['label', 'namespace', 'web', 'owner=member1-team', 'istio-injection=disabled']);
      kubectlOk(cp, ['create', 'namespace', 'web']);
      kubectlOk(cp, ['label', 'namespace', 'web', 'team=web']);
      assert.match(ok(['ns', 'inject', 'web', '--enable']), /sidecar injection enabled/);
      let labels = await waitLabels(m1, 'web', { 'istio-injection': 'enabled' });
      assert.equal(labels.owner, 'member1-team');
      assert.equal(labels.team, undefined, 'other labels are never synced');
      assert.equal(labels['karmada.io/managed'], undefined, 'a member namespace is relabelled, not taken over');

      ok(['ns', 'inject', 'web', '--revision', 'canary']);
      labels = await waitLabels(m1, 'web', { 'istio.io/rev': 'canary', 'istio-injection': undefined });
      assert.equal(labels.owner, 'member1-team');
      // kubectl edit of the YAML, as with any namespace.
      const editor = join(cp.dir, 'add-ambient.sh');
      writeFileSync(editor, `#!/bin/sh\nsed -i 's/^    team: web$/    team: web\\n    istio.io\\/dataplane-mode: ambient/' "$1"\n`, { mode: 0o755 });
      process.env.KUBE_EDITOR = editor;
      try {
        kubectlOk(cp, ['edit', 'namespace', 'web']);
      } finally {
        delete process.env.KUBE_EDITOR;
      }
      await waitLabels(m1, 'web', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/rev': 'canary' });
      kubectlOk(cp, ['label', 'namespace', 'web', 'istio.io/dataplane-mode-', 'istio.io/rev-']);
      labels = await waitLabels(m1, 'web', { 'istio.io/dataplane-mode': undefined, 'istio.io/rev': undefined });
      assert.equal(labels.owner, 'member1-team');
      await waitLabelSyncApplied('web', 'member2', {});
      assert.equal(memberGet(m2, ['namespace', 'web']), undefined);
    });

    it('only the homing clusters get the labels; leaving the homing clusters stops the sync', async () => {
      for (const m of [m1, m2]) kubectlOk(m, ['create', 'namespace', 'homed']);
      kubectlOk(cp, ['create', 'namespace', 'homed']);
      kubectlOk(cp, ['annotate', 'namespace', 'homed', 'canopy.io/homing-clusters=member2']);
      ok(['ns', 'inject', 'homed', '--enable']);
      await waitLabels(m2, 'homed', { 'istio-injection': 'enabled' });
      await workGone('homed', 'member1');
      assert.equal(labelsOn(m1, 'homed')?.['istio-injection'], undefined);

      ok(['ns', 'homing', 'homed', '--clusters', 'member1']);
      await waitLabels(m1, 'homed', { 'istio-injection': 'enabled' });
      await workGone('homed', 'member2');
      ok(['ns', 'inject', 'homed', '--disable']);
      await waitLabels(m1, 'homed', { 'istio-injection': 'disabled' });
      assert.equal(labelsOn(m2, 'homed')?.['istio-injection'], 'enabled', 'member2 is no longer a homing cluster');
    });
  });

  describe('NamespaceSync', () => {
    it('ToClusters creates a namespace only in its homing clusters, with its injection labels, and re-runs change nothing', async () => {
      kubectlOk(cp, ['create', 'namespace', 'pay']);
      kubectlOk(cp, ['annotate', 'namespace', 'pay', 'canopy.io/homing-clusters=member2']);
      kubectlOk(cp, ['label', 'namespace', 'pay', 'istio-injection=enabled', 'tier=gold']);
      const first = syncJson(['--to-clusters', '--namespaces', 'pay']);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.status.phase, 'Succeeded');
      assert.deepEqual(first.status.created, [{ cluster: 'member2', namespaces: ['pay'] }]);
      assert.match(first.status.message, /^1 created, 0 updated, 0 unchanged$/);
      const labels = labelsOn(m2, 'pay')!;
      assert.equal(labels['istio-injection'], 'enabled');
      assert.equal(labels['canopy.io/managed-by'], 'namespace-sync');
      assert.equal(labels.tier, undefined);
      assert.equal(memberGet(m1, ['namespace', 'pay']), undefined);
      assert.equal(memberGet(m3, ['namespace', 'pay']), undefined);

      const again = syncJson(['--to-clusters', '--namespaces', 'pay']);
      assert.equal(again.status.phase, 'Succeeded');
      assert.deepEqual([again.status.created, again.status.updated, again.status.unchanged], [[], [], [{ cluster: 'member2', namespaces: ['pay'] }]]);
      const table = kubectlOk(cp, ['get', 'namespacesyncs']);
      assert.match(table, /^NAME\s+DIRECTION\s+CLUSTER\s+PHASE\s+AGE$/m);
      assert.match(table, /^to-clusters-\w+\s+ToClusters\s+Succeeded\s+\d+s$/m);
      // Its Works are gone once it is done; the namespace stays.
      const works = (await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1/works?labelSelector=canopy.io%2Fnamespace-sync')).json.items;
      assert.deepEqual(works.filter((w: any) => !w.metadata.deletionTimestamp).map((w: any) => w.metadata.name), []);
    });

    it('ToClusters relabels a namespace a member already has, without taking it over', async () => {
      kubectlOk(cp, ['create', 'namespace', 'legacy']);
      kubectlOk(cp, ['annotate', 'namespace', 'legacy', 'canopy.io/homing-clusters=member3']);
      kubectlOk(cp, ['label', 'namespace', 'legacy', 'istio.io/rev=stable']);
      await waitLabelSyncApplied('legacy', 'member3', { 'istio.io/rev': 'stable' });
      // Made after the label sync looked (it looks again at its next resync): the sync finds other labels.
      kubectlOk(m3, ['create', 'namespace', 'legacy']);
      kubectlOk(m3, ['label', 'namespace', 'legacy', 'istio-injection=disabled', 'keep=me']);
      const r = syncJson(['--to-clusters', '--namespaces', 'legacy']);
      assert.equal(r.status.phase, 'Succeeded');
      assert.deepEqual(r.status.created, []);
      const outcome = [...r.status.updated, ...r.status.unchanged];
      assert.deepEqual(outcome, [{ cluster: 'member3', namespaces: ['legacy'] }], 'updated (or unchanged, had the label sync resynced first)');
      const labels = labelsOn(m3, 'legacy')!;
      assert.deepEqual([labels['istio.io/rev'], labels['istio-injection'], labels.keep, labels['canopy.io/managed-by']], ['stable', undefined, 'me', undefined]);
    });

    it('FromCluster creates missing namespaces with the member\'s labels, homes them there, and is idempotent', async () => {
      kubectlOk(m1, ['create', 'namespace', 'canary-app']);
      kubectlOk(m1, ['label', 'namespace', 'canary-app', 'istio.io/rev=canary', 'private=yes']);
      // pay is homed in member2 only; member1 having it adds member1.
      kubectlOk(m1, ['create', 'namespace', 'pay']);
      const r = syncJson(['--from', 'member1']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.status.phase, 'Succeeded');
      const created = r.status.created.find((e: any) => e.cluster === 'member1')?.namespaces ?? [];
      assert.ok(created.includes('canary-app'), JSON.stringify(r.status));
      assert.ok(!created.some((n: string) => n.startsWith('kube-') || n.startsWith('karmada-')), 'system namespaces are not synced');
      const ns = JSON.parse(kubectlOk(cp, ['get', 'namespace', 'canary-app', '-o', 'json']));
      assert.equal(ns.metadata.labels['istio.io/rev'], 'canary');
      assert.equal(ns.metadata.labels.private, undefined);
      assert.equal(ns.metadata.annotations['canopy.io/homing-clusters'], 'member1');
      const pay = JSON.parse(kubectlOk(cp, ['get', 'namespace', 'pay', '-o', 'json']));
      assert.equal(pay.metadata.annotations['canopy.io/homing-clusters'], 'member2,member1');
      assert.equal(pay.metadata.labels['istio-injection'], 'enabled', 'member1 has no injection label on pay: the control plane keeps its own');
      assert.ok(r.status.updated.find((e: any) => e.cluster === 'member1')?.namespaces.includes('pay'));

      const again = syncJson(['--from', 'member1']);
      assert.deepEqual([again.status.created, again.status.updated], [[], []]);
      assert.ok(again.status.unchanged[0].namespaces.includes('canary-app'));
      assert.ok(again.status.unchanged[0].namespaces.includes('pay'));
      // The text form: a line per cluster and result.
      const text = ok(['ns', 'sync', '--from', 'member1']);
      assert.match(text, /^namespacesync from-member1-\w+: Succeeded \(0 created, 0 updated, \d+ unchanged\)$/m);
      assert.match(text, /^member1\s+unchanged\s+.*canary-app/m);
    });

    it('deleting a global namespace leaves the members\' namespaces alone', async () => {
      await waitLabels(m2, 'pay', { 'istio-injection': 'enabled' });
      kubectlOk(cp, ['delete', 'namespace', 'pay']);
      await waitFor('pay gone from the control plane', async () => ((await api(cp, 'GET', '/api/v1/namespaces/pay')).status === 404 ? true : undefined));
      await workGone('pay', 'member2');
      await workGone('pay', 'member1');
      for (const m of [m1, m2]) {
        const ns = memberGet(m, ['namespace', 'pay']);
        assert.equal(ns?.status.phase, 'Active');
        assert.equal(ns.metadata.deletionTimestamp, undefined);
      }
      assert.equal(labelsOn(m2, 'pay')!['istio-injection'], 'enabled');
    });

    it('restart bumps restartedAt on the workloads of the namespace in its homing clusters', async () => {
      kubectlOk(cp, ['create', 'namespace', 'rs']);
      kubectlOk(cp, ['annotate', 'namespace', 'rs', 'canopy.io/homing-clusters=member1,member2']);
      const deployment = (name: string) => JSON.stringify({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'rs' },
        spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      });
      // A workload member1 has of its own, and one Canopy propagates to member1 and member2.
      kubectlOk(m1, ['create', 'namespace', 'rs']);
      kubectlOk(m1, ['apply', '-f', '-'], { input: deployment('own') });
      kubectlOk(cp, ['apply', '-f', '-'], { input: `---\n${deployment('shared')}\n---\n${JSON.stringify({
        apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'shared', namespace: 'rs' },
        spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shared' }], placement: { clusterAffinity: { clusterNames: ['member1', 'member2'] } } },
      })}` });
      for (const m of [m1, m2]) await waitFor('shared propagated', () => memberGet(m, ['deployment', 'shared', '-n', 'rs']));

      const r = canopy(['ns', 'restart', 'rs', '--output', 'json'], cp);
      assert.equal(r.code, 0, r.stderr);
      const status = JSON.parse(r.stdout);
      assert.equal(status.phase, 'Succeeded');
      const restarted = Object.fromEntries(status.updated.map((e: any) => [e.cluster, e.workloads]));
      assert.deepEqual(restarted, {
        member1: ['deployment.apps/rs/own', 'deployment.apps/rs/shared (propagated)'],
        member2: ['deployment.apps/rs/shared (propagated)'],
      });
      const at = status.startTime;
      const restartedAt = (m: RunningServer, name: string) =>
        memberGet(m, ['deployment', name, '-n', 'rs'])?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
      assert.equal(restartedAt(m1, 'own'), at);
      for (const m of [m1, m2]) await waitFor('the propagated restart', () => (restartedAt(m, 'shared') === at ? true : undefined));
      const template = JSON.parse(kubectlOk(cp, ['get', 'deployment', 'shared', '-n', 'rs', '-o', 'json']));
      assert.equal(template.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], at);
      // member1's own Deployment stays its own.
      assert.equal(memberGet(m1, ['deployment', 'own', '-n', 'rs']).metadata.labels?.['karmada.io/managed'], undefined);
    });

    it('an unreachable member fails its part, clearly, and the rest is done', async () => {
      kubectlOk(cp, ['create', 'namespace', 'everywhere']);
      await m3.stop();
      const r = canopy(['ns', 'sync', '--to-clusters', '--namespaces', 'everywhere'], cp);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^namespacesync to-clusters-\w+: Failed \(2 created, 0 updated, 0 unchanged; failed - member3: cluster "member3" is (unreachable|not ready)/m);
      assert.match(r.stdout, /^member1\s+created\s+everywhere$/m);
      assert.match(r.stdout, /^member2\s+created\s+everywhere$/m);
      assert.match(r.stdout, /^member3\s+failed\s+cluster "member3" is/m);
      assert.match(r.stderr, /^error: namespacesync to-clusters-\w+ failed: member3: cluster "member3" is/);
      for (const m of [m1, m2]) assert.ok(memberGet(m, ['namespace', 'everywhere']));
    });

    it('a control plane killed during a sync finishes it when it starts again', async () => {
      kubectlOk(cp, ['create', 'namespace', 'crash-a']);
      kubectlOk(cp, ['label', 'namespace', 'crash-a', 'istio-injection=enabled']);
      const created = await api(cp, 'POST', '/apis/canopy.io/v1alpha1/namespacesyncs', {
        apiVersion: 'canopy.io/v1alpha1', kind: 'NamespaceSync', metadata: { name: 'crash' },
        spec: { direction: 'ToClusters', cluster: 'member1', namespaces: ['crash-a'] },
      });
      assert.equal(created.status, 201);
      await cp.kill();
      cp = await f.restartControlPlane();
      const done = await waitFor('the sync finished', async () => {
        const op = (await api(cp, 'GET', '/apis/canopy.io/v1alpha1/namespacesyncs/crash')).json;
        return op?.status?.completionTime ? op : undefined;
      });
      assert.equal(done.status.phase, 'Succeeded', JSON.stringify(done.status));
      assert.equal(labelsOn(m1, 'crash-a')?.['istio-injection'], 'enabled');
      await waitFor('its Work removed', async () => ((await api(cp, 'GET',
        '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-member1/works/canopy-namespacesync-crash')).status === 404 ? true : undefined));
    });
  });
});
