// End-to-end propagation through a real control plane and three real members: which policy claims a template,
// where the scheduler places it, what reaches each member, what is removed, and what comes back as status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memberGet, memberNames, startFederation, waitForNames, type Federation } from './support/federation.ts';
import { api, kubectlOk, type RunningServer, waitFor } from './support/server.ts';

let f: Federation;
let cp: RunningServer;
let m1: RunningServer;
let m2: RunningServer;
let m3: RunningServer;

/** kubectl apply of YAML documents (JSON ones included: the leading separator keeps kubectl reading YAML). */
function apply(documents: string): void {
  kubectlOk(cp, ['apply', '-f', '-'], { input: `---\n${documents}` });
}

function namespace(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

function configMap(ns: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data });
}

function policy(ns: string, name: string, spec: Record<string, unknown>, cluster = false): string {
  return JSON.stringify({
    apiVersion: 'policy.karmada.io/v1alpha1', kind: cluster ? 'ClusterPropagationPolicy' : 'PropagationPolicy',
    metadata: cluster ? { name } : { name, namespace: ns }, spec,
  });
}

const CONFIGMAPS = { apiVersion: 'v1', kind: 'ConfigMap' };
const to = (...clusterNames: string[]) => ({ clusterAffinity: { clusterNames } });

/** The policy that claimed a template, as `pp:NAME` or `cpp:NAME`. */
async function claimOf(ns: string, name: string): Promise<string | undefined> {
  const r = await api(cp, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
  const a = r.json?.metadata?.annotations ?? {};
  if (a['propagationpolicy.karmada.io/name']) return `pp:${a['propagationpolicy.karmada.io/name']}`;
  if (a['clusterpropagationpolicy.karmada.io/name']) return `cpp:${a['clusterpropagationpolicy.karmada.io/name']}`;
  return undefined;
}

async function waitClaim(ns: string, name: string, expected: string): Promise<void> {
  let last: string | undefined;
  await waitFor(`${ns}/${name} claimed by ${expected}`, async () => {
    last = await claimOf(ns, name);
    return last === expected ? true : undefined;
  }).catch((e) => { throw new Error(`${e.message}; claimed by ${last}`); });
}

async function binding(ns: string, name: string): Promise<any> {
  const r = await api(cp, 'GET', `/apis/work.karmada.io/v1alpha2/namespaces/${ns}/resourcebindings/${name}`);
  return r.status === 200 ? r.json : undefined;
}

/** Waits until the binding's scheduled clusters are exactly `expected` (name or name=replicas). */
async function waitPlaced(ns: string, name: string, expected: string[]): Promise<any> {
  let last: string[] | undefined;
  return waitFor(`${ns}/${name} placed on ${expected.join(',')}`, async () => {
    const b = await binding(ns, name);
    last = (b?.spec?.clusters ?? []).map((c: any) => (c.replicas === undefined ? c.name : `${c.name}=${c.replicas}`));
    return b && JSON.stringify(last) === JSON.stringify(expected) ? b : undefined;
  }).catch((e) => { throw new Error(`${e.message}; last ${JSON.stringify(last)}`); });
}

describe('propagation', () => {
  before(async () => {
    f = await startFederation(['m1', 'm2', 'm3'], ['--cluster-failure-threshold', '1', '--cluster-success-threshold', '1']);
    ({ cp } = f);
    ({ m1, m2, m3 } = f.members as Record<string, RunningServer>);
    const fields: Record<string, object> = {
      m1: { provider: 'aws', region: 'us-east', zones: ['us-east-1a'] },
      m2: { provider: 'gcp', region: 'us-west', zones: ['us-west-1b'] },
      m3: { provider: 'aws', region: 'eu', zones: ['eu-1a'] },
    };
    for (const [name, spec] of Object.entries(fields)) {
      kubectlOk(cp, ['patch', 'cluster', name, '--type', 'merge', '-p', JSON.stringify({ spec })]);
    }
    kubectlOk(cp, ['label', 'cluster', 'm1', 'env=prod']);
    kubectlOk(cp, ['label', 'cluster', 'm3', 'env=prod']);
  });
  after(async () => { await f?.stop(); });

  describe('choosing the policy', () => {
    it('a PropagationPolicy beats a ClusterPropagationPolicy of higher priority', async () => {
      apply([namespace('pc-a'), policy('', 'pc-a-cluster', { priority: 100, placement: to('m3'),
        resourceSelectors: [{ ...CONFIGMAPS, namespace: 'pc-a' }] }, true),
      policy('pc-a', 'pc-a-ns', { resourceSelectors: [CONFIGMAPS], placement: to('m1') })].join('\n---\n'));
      apply(configMap('pc-a', 'one'));
      await waitClaim('pc-a', 'one', 'pp:pc-a-ns');
      await waitForNames(m1, 'configmaps', ['one'], 'pc-a');
      assert.equal(memberGet(m3, ['configmap', 'one', '-n', 'pc-a']), undefined);
    });

    it('then the higher explicit priority, then name over label selector over match-all, then the smaller name', async () => {
      apply([namespace('pc-b'),
        policy('pc-b', 'z-high', { priority: 5, resourceSelectors: [CONFIGMAPS], placement: to('m2') }),
        policy('pc-b', 'a-named', { priority: 1, resourceSelectors: [{ ...CONFIGMAPS, name: 'one' }], placement: to('m1') }),
      ].join('\n---\n'));
      apply([namespace('pc-c'),
        policy('pc-c', 'all', { resourceSelectors: [CONFIGMAPS], placement: to('m1') }),
        policy('pc-c', 'labelled', { resourceSelectors: [{ ...CONFIGMAPS, labelSelector: { matchLabels: { tier: 'web' } } }], placement: to('m2') }),
        policy('pc-c', 'named', { resourceSelectors: [{ ...CONFIGMAPS, name: 'named' }], placement: to('m3') }),
      ].join('\n---\n'));
      apply([namespace('pc-d'),
        policy('pc-d', 'beta', { resourceSelectors: [CONFIGMAPS], placement: to('m2') }),
        policy('pc-d', 'alpha', { resourceSelectors: [CONFIGMAPS], placement: to('m1') }),
      ].join('\n---\n'));
      apply([configMap('pc-b', 'one'), configMap('pc-c', 'plain'), configMap('pc-c', 'web', { tier: 'web' }),
        configMap('pc-c', 'named', { tier: 'web' }), configMap('pc-d', 'one')].join('\n---\n'));
      await waitClaim('pc-b', 'one', 'pp:z-high');
      await waitClaim('pc-c', 'plain', 'pp:all');
      await waitClaim('pc-c', 'web', 'pp:labelled');
      await waitClaim('pc-c', 'named', 'pp:named');
      await waitClaim('pc-d', 'one', 'pp:alpha');
      await waitForNames(m3, 'configmaps', ['named'], 'pc-c');
      await waitForNames(m2, 'configmaps', ['web'], 'pc-c');
      await waitForNames(m1, 'configmaps', ['plain'], 'pc-c');
    });

    it('a claimed template stays unless a better policy has preemption Always; deleting that policy hands it back', async () => {
      apply([namespace('pc-e'), policy('pc-e', 'first', { resourceSelectors: [CONFIGMAPS], placement: to('m1') })].join('\n---\n'));
      apply(configMap('pc-e', 'one'));
      await waitClaim('pc-e', 'one', 'pp:first');
      const named = [{ ...CONFIGMAPS, name: 'one' }, { ...CONFIGMAPS, name: 'two' }];
      apply(policy('pc-e', 'second', { priority: 10, resourceSelectors: named, placement: to('m2') }));
      apply(configMap('pc-e', 'two'));
      await waitClaim('pc-e', 'two', 'pp:second');
      assert.equal(await claimOf('pc-e', 'one'), 'pp:first', 'no preemption without preemption: Always');

      apply(policy('pc-e', 'second', { priority: 10, preemption: 'Always', resourceSelectors: named, placement: to('m2') }));
      await waitClaim('pc-e', 'one', 'pp:second');
      await waitForNames(m2, 'configmaps', ['one', 'two'], 'pc-e');
      await waitForNames(m1, 'configmaps', [], 'pc-e');

      kubectlOk(cp, ['delete', 'propagationpolicy', 'second', '-n', 'pc-e']);
      await waitClaim('pc-e', 'one', 'pp:first');
      await waitClaim('pc-e', 'two', 'pp:first');
      await waitForNames(m1, 'configmaps', ['one', 'two'], 'pc-e');
      await waitForNames(m2, 'configmaps', [], 'pc-e');
    });
  });

  describe('cluster affinity', () => {
    const cases: Array<[string, object, string[]]> = [
      ['names', { clusterNames: ['m1', 'm2'] }, ['m1', 'm2']],
      ['exclude', { exclude: ['m1'] }, ['m2', 'm3']],
      ['labels', { labelSelector: { matchLabels: { env: 'prod' } } }, ['m1', 'm3']],
      ['region', { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east', 'us-west'] }] } }, ['m1', 'm2']],
      ['provider', { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'NotIn', values: ['aws'] }] } }, ['m2']],
      ['zone', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['eu-1a'] }] } }, ['m3']],
      ['labels-exclude', { labelSelector: { matchLabels: { env: 'prod' } }, exclude: ['m3'] }, ['m1']],
      ['names-region', { clusterNames: ['m1', 'm2'], fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } }, ['m1']],
      ['everything', {}, ['m1', 'm2', 'm3']],
    ];
    it('each field alone and combined (ANDed); an empty affinity is every cluster', async () => {
      apply([namespace('aff'), ...cases.map(([name, clusterAffinity]) => policy('aff', name, {
        resourceSelectors: [{ ...CONFIGMAPS, name }], placement: { clusterAffinity },
      })), ...cases.map(([name]) => configMap('aff', name))].join('\n---\n'));
      for (const [name, , expected] of cases) await waitPlaced('aff', `${name}-configmap`, expected);
      await waitForNames(m2, 'configmaps', ['everything', 'exclude', 'names', 'provider', 'region'], 'aff');
    });
  });

  describe('taints and tolerations', () => {
    it('a tainted cluster only gets what tolerates the taint', async () => {
      kubectlOk(cp, ['patch', 'cluster', 'm3', '--type', 'merge', '-p',
        JSON.stringify({ spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } })]);
      apply([namespace('taints'),
        policy('taints', 'plain', { resourceSelectors: [{ ...CONFIGMAPS, name: 'plain' }], placement: {} }),
        policy('taints', 'tolerant', { resourceSelectors: [{ ...CONFIGMAPS, name: 'tolerant' }], placement: {
          clusterTolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }),
        configMap('taints', 'plain'), configMap('taints', 'tolerant')].join('\n---\n'));
      await waitPlaced('taints', 'plain-configmap', ['m1', 'm2']);
      await waitPlaced('taints', 'tolerant-configmap', ['m1', 'm2', 'm3']);
      await waitForNames(m3, 'configmaps', ['tolerant'], 'taints');
      kubectlOk(cp, ['patch', 'cluster', 'm3', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/taints"}]']);
      await waitPlaced('taints', 'plain-configmap', ['m1', 'm2', 'm3']);
    });
  });

  describe('spread constraints', () => {
    it('spreads over at most maxGroups clusters', async () => {
      apply([namespace('spread'), policy('spread', 'two', { resourceSelectors: [CONFIGMAPS], placement: {
        spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 2, minGroups: 2 }] } }), configMap('spread', 'one')].join('\n---\n'));
      const b = await waitFor('a two-cluster placement', async () => {
        const got = await binding('spread', 'one-configmap');
        return got?.spec?.clusters?.length ? got : undefined;
      });
      assert.equal(b.spec.clusters.length, 2);
    });
  });

  describe('replica division', () => {
    it('divides 9 replicas at static weights 1:2 into 3 and 6', async () => {
      apply([namespace('weights'), policy('weights', 'static', {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
        placement: { clusterAffinity: { clusterNames: ['m1', 'm2'] }, replicaScheduling: {
          replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted',
          weightPreference: { staticWeightList: [
            { targetCluster: { clusterNames: ['m1'] }, weight: 1 }, { targetCluster: { clusterNames: ['m2'] }, weight: 2 }] } } },
      })].join('\n---\n'));
      kubectlOk(cp, ['create', 'deployment', 'web', '-n', 'weights', '--image', 'nginx', '--replicas', '9']);
      await waitPlaced('weights', 'web-deployment', ['m1=3', 'm2=6']);
      const replicasOn = (m: RunningServer) => memberGet(m, ['deployment', 'web', '-n', 'weights'])?.spec?.replicas;
      await waitFor('3 replicas on m1 and 6 on m2', () => (replicasOn(m1) === 3 && replicasOn(m2) === 6 ? true : undefined));
      const ready = await waitFor('9 ready replicas in the control plane', () => {
        const d = JSON.parse(kubectlOk(cp, ['get', 'deployment', 'web', '-n', 'weights', '-o', 'json']));
        return d.status?.readyReplicas === 9 ? d : undefined;
      });
      assert.equal(ready.spec.replicas, 9, 'the template keeps its own replicas');
      kubectlOk(cp, ['scale', 'deployment', 'web', '-n', 'weights', '--replicas', '3']);
      await waitPlaced('weights', 'web-deployment', ['m1=1', 'm2=2']);
    });
  });

  describe('dynamic weights', () => {
    it('divides replicas by the available replicas the members report (their Nodes\' allocatable pods)', async () => {
      for (const [member, pods] of [[m1, '10'], [m2, '30']] as const) {
        const res = await api(member, 'POST', '/api/v1/nodes', {
          apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' },
          status: { allocatable: { cpu: '8', memory: '32Gi', pods }, conditions: [{ type: 'Ready', status: 'True' }] },
        });
        assert.equal(res.status, 201, res.text);
      }
      await waitFor('resource summaries on m1 and m2', async () => {
        const list = (await api(cp, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).json.items;
        const pods = (name: string) => list.find((c: any) => c.metadata.name === name)?.status?.resourceSummary?.allocatable?.pods;
        return pods('m1') === '10' && pods('m2') === '30' ? true : undefined;
      });
      apply([namespace('dynamic'), policy('dynamic', 'available', {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
        placement: { clusterAffinity: { clusterNames: ['m1', 'm2'] }, replicaScheduling: {
          replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } } },
      })].join('\n---\n'));
      kubectlOk(cp, ['create', 'deployment', 'web', '-n', 'dynamic', '--image', 'nginx', '--replicas', '8']);
      await waitPlaced('dynamic', 'web-deployment', ['m1=2', 'm2=6']);
      await waitFor('6 replicas on m2', () => (memberGet(m2, ['deployment', 'web', '-n', 'dynamic'])?.spec?.replicas === 6 ? true : undefined));
    });
  });

  describe('overrides', () => {
    it('applies ClusterOverridePolicies and OverridePolicies per target cluster', async () => {
      const override = (kind: string, name: string, ns: string | undefined, spec: object) => JSON.stringify({
        apiVersion: 'policy.karmada.io/v1alpha1', kind, metadata: ns ? { name, namespace: ns } : { name }, spec });
      apply([namespace('ovr'),
        policy('ovr', 'both', { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }], placement: to('m1', 'm2') }),
        override('ClusterOverridePolicy', 'ovr-mirror', undefined, {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ovr' }],
          overrideRules: [{ targetCluster: { clusterNames: ['m2'] },
            overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.example.com' }] } }] }),
        override('OverridePolicy', 'tweaks', 'ovr', {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
          overrideRules: [
            { targetCluster: { clusterNames: ['m1'] }, overriders: {
              plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 4 }],
              annotationsOverrider: [{ operator: 'add', value: { owner: 'team-m1' } }] } },
            { overriders: { labelsOverrider: [{ operator: 'add', value: { tier: 'gold' } }],
              argsOverrider: [{ containerName: 'nginx', operator: 'add', value: ['--verbose'] }] } },
          ] }),
      ].join('\n---\n'));
      kubectlOk(cp, ['create', 'deployment', 'web', '-n', 'ovr', '--image', 'docker.io/library/nginx:1.27']);
      const on = (m: RunningServer) => memberGet(m, ['deployment', 'web', '-n', 'ovr']);
      const d1 = await waitFor('web on m1 with 4 replicas', () => (on(m1)?.spec?.replicas === 4 ? on(m1) : undefined));
      assert.equal(d1.metadata.annotations.owner, 'team-m1');
      assert.equal(d1.metadata.labels.tier, 'gold');
      assert.deepEqual(d1.spec.template.spec.containers[0].args, ['--verbose']);
      assert.equal(d1.spec.template.spec.containers[0].image, 'docker.io/library/nginx:1.27');
      const d2 = await waitFor('web on m2 from the mirror', () => {
        const got = on(m2);
        return got?.spec?.template?.spec?.containers?.[0]?.image === 'mirror.example.com/library/nginx:1.27' ? got : undefined;
      });
      assert.equal(d2.spec.replicas, 1);
      assert.equal(d2.metadata.labels.tier, 'gold');
      assert.equal(d2.metadata.annotations.owner, undefined);
      assert.match(d2.metadata.annotations['policy.karmada.io/applied-cluster-overrides'], /ovr-mirror/);
    });
  });

  describe('conflicts', () => {
    it('leaves an object it does not own alone unless conflictResolution is Overwrite', async () => {
      kubectlOk(m1, ['create', 'namespace', 'conflict']);
      kubectlOk(m1, ['create', 'configmap', 'taken', '-n', 'conflict', '--from-literal', 'owner=member']);
      apply([namespace('conflict'), configMap('conflict', 'taken', {}, { owner: 'control-plane' }),
        policy('conflict', 'take', { resourceSelectors: [CONFIGMAPS], placement: to('m1') })].join('\n---\n'));
      const refused = await waitFor('the refusal in the binding status', async () => {
        const b = await binding('conflict', 'taken-configmap');
        const item = b?.status?.aggregatedStatus?.find((i: any) => i.clusterName === 'm1');
        return item && item.applied === false && item.appliedMessage ? item : undefined;
      });
      assert.match(refused.appliedMessage, /already exists in the cluster m1/);
      assert.equal(memberGet(m1, ['configmap', 'taken', '-n', 'conflict']).data.owner, 'member');

      apply(policy('conflict', 'take', { conflictResolution: 'Overwrite', resourceSelectors: [CONFIGMAPS], placement: to('m1') }));
      await waitFor('the member object taken over', () =>
        (memberGet(m1, ['configmap', 'taken', '-n', 'conflict'])?.data?.owner === 'control-plane' ? true : undefined));
      const b = await waitFor('FullyApplied', async () => {
        const got = await binding('conflict', 'taken-configmap');
        return got?.status?.conditions?.some((c: any) => c.type === 'FullyApplied' && c.status === 'True') ? got : undefined;
      });
      assert.equal(b.status.aggregatedStatus[0].applied, true);
    });
  });

  describe('cleanup', () => {
    it('removes the object from clusters dropped from the placement, and everywhere when the template goes', async () => {
      apply([namespace('cleanup'), policy('cleanup', 'both', { resourceSelectors: [CONFIGMAPS], placement: to('m1', 'm2') }),
        configMap('cleanup', 'settings')].join('\n---\n'));
      await waitForNames(m1, 'configmaps', ['settings'], 'cleanup');
      await waitForNames(m2, 'configmaps', ['settings'], 'cleanup');
      kubectlOk(m2, ['create', 'configmap', 'theirs', '-n', 'cleanup']);

      apply(policy('cleanup', 'both', { resourceSelectors: [CONFIGMAPS], placement: to('m1') }));
      await waitForNames(m2, 'configmaps', ['theirs'], 'cleanup');
      assert.deepEqual(memberNames(m1, 'configmaps', 'cleanup'), ['settings']);

      kubectlOk(cp, ['delete', 'configmap', 'settings', '-n', 'cleanup']);
      await waitForNames(m1, 'configmaps', [], 'cleanup');
      await waitFor('the binding gone', async () => ((await binding('cleanup', 'settings-configmap')) ? undefined : true));
      const works = (await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1/works')).json.items
        .filter((w: any) => w.metadata.annotations?.['resourcebinding.karmada.io/namespace'] === 'cleanup');
      assert.deepEqual(works, []);
    });
  });

  describe('status aggregation', () => {
    it('sums Deployment replicas over clusters and completes a Job when every member completed it', async () => {
      apply([namespace('agg'), policy('agg', 'everywhere', {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }, { apiVersion: 'batch/v1', kind: 'Job' }], placement: {} }),
      ].join('\n---\n'));
      kubectlOk(cp, ['create', 'deployment', 'web', '-n', 'agg', '--image', 'nginx', '--replicas', '2']);
      kubectlOk(cp, ['create', 'job', 'once', '-n', 'agg', '--image', 'busybox']);
      const d = await waitFor('6 ready replicas', () => {
        const got = JSON.parse(kubectlOk(cp, ['get', 'deployment', 'web', '-n', 'agg', '-o', 'json']));
        return got.status?.readyReplicas === 6 ? got : undefined;
      });
      assert.equal(d.status.replicas, 6);
      assert.equal(d.status.availableReplicas, 6);
      const job = await waitFor('the Job complete', () => {
        const got = JSON.parse(kubectlOk(cp, ['get', 'job', 'once', '-n', 'agg', '-o', 'json']));
        return got.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True') ? got : undefined;
      });
      assert.equal(job.status.succeeded, 3);
    });
  });

  describe('custom resources', () => {
    it('a CRD propagates like any template, and then objects of its kind once members serve it', async () => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [{ name: 'v1', served: true, storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        },
      };
      apply([JSON.stringify(crd), policy('', 'widget-crd', { resourceSelectors: [
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.example.com' }], placement: to('m1') }, true),
      ].join('\n---\n'));
      await waitFor('the Widget kind served by the control plane', async () =>
        ((await api(cp, 'GET', '/apis/example.com/v1')).status === 200 ? true : undefined));
      apply([namespace('widgets'), policy('widgets', 'all-widgets', { resourceSelectors: [{ apiVersion: 'example.com/v1', kind: 'Widget' }],
        placement: to('m1') }), JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'widgets' },
        spec: { size: 3 } })].join('\n---\n'));
      const widget = await waitFor('the Widget on m1', () => memberGet(m1, ['widgets.example.com', 'w1', '-n', 'widgets']), 60_000);
      assert.equal(widget.spec.size, 3);
      assert.equal(memberGet(m2, ['crd', 'widgets.example.com']), undefined);
    });
  });

  describe('namespaces and reserved places', () => {
    it('a Namespace reaches members only through a ClusterPropagationPolicy; the manifest namespace is created on demand', async () => {
      apply([namespace('quiet'), namespace('team-a'),
        policy('', 'team-namespaces', { resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }], placement: to('m1') }, true),
      ].join('\n---\n'));
      await waitFor('team-a on m1', () => (memberGet(m1, ['namespace', 'team-a']) ? true : undefined));
      assert.equal(memberGet(m1, ['namespace', 'team-a']).metadata.labels['karmada.io/managed'], 'true');
      assert.equal(memberGet(m1, ['namespace', 'quiet']), undefined);

      apply([namespace('fresh'), policy('fresh', 'p', { resourceSelectors: [CONFIGMAPS], placement: to('m2') }),
        configMap('fresh', 'settings')].join('\n---\n'));
      await waitForNames(m2, 'configmaps', ['settings'], 'fresh');
    });

    it('never propagates from reserved namespaces', async () => {
      apply([policy('kube-system', 'system', { resourceSelectors: [CONFIGMAPS], placement: {} }),
        configMap('kube-system', 'private'), namespace('later'),
        policy('later', 'p', { resourceSelectors: [CONFIGMAPS], placement: {} }), configMap('later', 'sentinel')].join('\n---\n'));
      await waitForNames(m1, 'configmaps', ['sentinel'], 'later');
      assert.equal(await binding('kube-system', 'private-configmap'), undefined);
      assert.equal(memberGet(m1, ['configmap', 'private', '-n', 'kube-system']), undefined);
    });
  });

  describe('cluster affinities', () => {
    it('uses the first group that schedules, and moves to the next when its clusters become NotReady (last: stops m3)', async () => {
      apply([namespace('failover'), policy('failover', 'groups', { resourceSelectors: [CONFIGMAPS], placement: {
        clusterAffinities: [{ affinityName: 'primary', clusterNames: ['m3'] }, { affinityName: 'backup', clusterNames: ['m2'] }] } }),
      configMap('failover', 'settings')].join('\n---\n'));
      await waitPlaced('failover', 'settings-configmap', ['m3']);
      await waitFor('observed affinity primary', async () =>
        ((await binding('failover', 'settings-configmap'))?.status?.schedulerObservedAffinityName === 'primary' ? true : undefined));
      await m3.stop();
      const notReady = await waitFor('m3 NotReady, with the NoSchedule taint of the cluster controller', async () => {
        const c = (await api(cp, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters/m3')).json;
        return c?.spec?.taints?.some((t: any) => t.key.startsWith('cluster.karmada.io/')) ? c : undefined;
      });
      // NoSchedule only keeps new work away; the NoExecute taint (as a ClusterTaintPolicy would add) evicts.
      kubectlOk(cp, ['patch', 'cluster', 'm3', '--type', 'merge', '-p', JSON.stringify({ spec: { taints: [
        ...notReady.spec.taints, { key: 'cluster.karmada.io/not-ready', effect: 'NoExecute' }] } })]);
      await waitPlaced('failover', 'settings-configmap', ['m2']);
      await waitForNames(m2, 'configmaps', ['settings'], 'failover');
      assert.equal((await binding('failover', 'settings-configmap')).status.schedulerObservedAffinityName, 'backup');
    });
  });
});
