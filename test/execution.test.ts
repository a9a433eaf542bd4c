// End-to-end: execution namespaces and the execution controller of a real control plane applying Works to
// two real member processes joined with `canopy join`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { retainClusterFields } from '../src/controllers/execution.ts';
import { interpretHealth } from '../src/propagation/interpreter.ts';
import { api, CANOPY, kubectl, kubectlOk, removeDir, startServer, type RunningServer, waitFor } from './support/server.ts';

const WORKS = (ns: string) => `/apis/work.karmada.io/v1alpha1/namespaces/${ns}/works`;

function canopy(args: string[], controlPlane: RunningServer) {
  const r = spawnSync(process.execPath, [CANOPY, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, CANOPY_KUBECONFIG: controlPlane.kubeconfig },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}


/** The member object as JSON, or undefined when it does not exist. */
function memberGet(member: RunningServer, args: string[]): any {
  const r = kubectl(member, ['get', ...args, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return JSON.parse(r.stdout);
}

/** A minimal Work CRD, only while the real one is not installed by the control plane yet. */
async function ensureWorkApi(cp: RunningServer): Promise<void> {
  const served = await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1');
  if (served.status === 200 && served.json?.resources?.some((r: any) => r.name === 'works')) return;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'works.work.karmada.io' },
    spec: {
      group: 'work.karmada.io', scope: 'Namespaced',
      names: { plural: 'works', singular: 'work', kind: 'Work', listKind: 'WorkList' },
      versions: [{
        name: 'v1alpha1', served: true, storage: true, subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      }],
    },
  };
  const created = await api(cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  assert.ok(created.status === 201 || created.status === 409, created.text);
  await waitFor('the Work API', async () => {
    const r = await api(cp, 'GET', '/apis/work.karmada.io/v1alpha1');
    return r.status === 200 && r.json?.resources?.some((x: any) => x.name === 'works') ? true : undefined;
  });
}

function work(name: string, manifests: any[], spec: Record<string, unknown> = {}) {
  return { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name }, spec: { ...spec, workload: { manifests } } };
}

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } };
const DEPLOYMENT = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'app', labels: { app: 'web' } },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
};
const configMap = (name: string, data: Record<string, string>, annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'app', ...(annotations ? { annotations } : {}) }, data,
});

async function getWork(cp: RunningServer, ns: string, name: string): Promise<any> {
  const r = await api(cp, 'GET', `${WORKS(ns)}/${name}`);
  return r.status === 200 ? r.json : undefined;
}

/** Read-modify-write of a Work, again on a conflict (the controller writes it too). */
async function updateWork(cp: RunningServer, ns: string, name: string, mutate: (w: any) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const w = await getWork(cp, ns, name);
    mutate(w);
    const r = await api(cp, 'PUT', `${WORKS(ns)}/${name}`, w);
    if (r.status === 200) return;
    if (r.status !== 409 || attempt > 5) throw new Error(`updating work ${name}: ${r.text}`);
  }
}

function applied(w: any): any {
  return w?.status?.conditions?.find((c: any) => c.type === 'Applied');
}

describe('execution of Works on Push members', () => {
  let cp: RunningServer;
  let m1: RunningServer;
  let m2: RunningServer;

  before(async () => {
    [cp, m1, m2] = await Promise.all([
      startServer({ args: ['--cluster-status-update-frequency', '1', '--work-resync-period', '2'] }),
      startServer({ command: 'member', name: 'm1' }),
      startServer({ command: 'member', name: 'm2' }),
    ]);
    for (const [name, member] of [['m1', m1], ['m2', m2]] as const) {
      const joined = canopy(['join', name, '--kubeconfig', member.kubeconfig], cp);
      assert.equal(joined.code, 0, joined.stderr);
    }
    await ensureWorkApi(cp);
    await waitFor('both clusters Ready', async () => {
      const list = (await api(cp, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).json.items;
      const ready = list.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === 2 ? true : undefined;
    });
  });
  after(async () => {
    await Promise.all([cp?.stop(), m1?.stop(), m2?.stop()]);
    for (const s of [cp, m1, m2]) if (s) removeDir(s.dir);
  });

  it('creates the execution namespace of every cluster', async () => {
    await waitFor('karmada-es-m1 and karmada-es-m2', async () => {
      const names = (await api(cp, 'GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name);
      return names.includes('karmada-es-m1') && names.includes('karmada-es-m2') ? true : undefined;
    });
  });

  it('applies a Work to its member only, labelled and annotated, and reports Applied and manifest statuses', async () => {
    const created = await api(cp, 'POST', WORKS('karmada-es-m1'),
      work('demo', [NAMESPACE, DEPLOYMENT, configMap('settings', { mode: 'one' })]));
    assert.equal(created.status, 201, created.text);
    const deploy = await waitFor('the Deployment on m1', () => memberGet(m1, ['deployment', 'web', '-n', 'app']));
    const w = (await getWork(cp, 'karmada-es-m1', 'demo'))!;
    assert.ok(w.metadata.finalizers.includes('karmada.io/execution-controller'));
    const permanentId = w.metadata.labels['work.karmada.io/permanent-id'];
    assert.match(permanentId, /^[0-9a-f-]{36}$/);
    assert.equal(deploy.metadata.labels['karmada.io/managed'], 'true');
    assert.equal(deploy.metadata.labels['work.karmada.io/permanent-id'], permanentId);
    assert.equal(deploy.metadata.labels.app, 'web');
    assert.equal(deploy.metadata.annotations['work.karmada.io/name'], 'demo');
    assert.equal(deploy.metadata.annotations['work.karmada.io/namespace'], 'karmada-es-m1');
    const withManagers = memberGet(m1, ['deployment', 'web', '-n', 'app', '--show-managed-fields']);
    assert.deepEqual(withManagers.metadata.managedFields.map((e: any) => e.manager), ['canopy'], 'the member records Canopy as the writer');
    const ns = memberGet(m1, ['namespace', 'app']);
    assert.equal(ns.metadata.labels['karmada.io/managed'], 'true');
    assert.equal(memberGet(m1, ['configmap', 'settings', '-n', 'app']).data.mode, 'one');
    assert.equal(memberGet(m2, ['namespace', 'app']), undefined, 'nothing lands on m2');

    const done = await waitFor('Applied=True with the Deployment ready', async () => {
      const current = await getWork(cp, 'karmada-es-m1', 'demo');
      const status = current?.status?.manifestStatuses?.find((m: any) => m.identifier.kind === 'Deployment');
      return applied(current)?.status === 'True' && status?.status?.readyReplicas === 2 ? current : undefined;
    });
    assert.deepEqual({ ...applied(done), lastTransitionTime: undefined },
      { type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message: 'Manifest has been successfully applied', lastTransitionTime: undefined });
    const ids = done.status.manifestStatuses.map((m: any) => m.identifier);
    assert.deepEqual(ids, [
      { ordinal: 0, group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', name: 'app' },
      { ordinal: 1, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'app', name: 'web' },
      { ordinal: 2, group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespace: 'app', name: 'settings' },
    ]);
    assert.equal(done.status.manifestStatuses[1].health, 'Healthy');
    assert.equal(done.status.manifestStatuses[2].health, 'Unknown');
  });

  it('follows edits of the Work and reverts drift on the member', async () => {
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => { w.spec.workload.manifests[2] = configMap('settings', { mode: 'two' }); });
    await waitFor('the member follows the Work', () => memberGet(m1, ['configmap', 'settings', '-n', 'app'])?.data?.mode === 'two' ? true : undefined);

    kubectlOk(m1, ['patch', 'configmap', 'settings', '-n', 'app', '--type', 'merge', '-p', '{"data":{"mode":"drifted"}}']);
    kubectlOk(m1, ['scale', 'deployment', 'web', '-n', 'app', '--replicas', '5']);
    await waitFor('the drift reverted', () => {
      const cm = memberGet(m1, ['configmap', 'settings', '-n', 'app']);
      const d = memberGet(m1, ['deployment', 'web', '-n', 'app']);
      return cm.data.mode === 'two' && d.spec.replicas === 2 ? true : undefined;
    }, 15_000);
  });

  it('deletes the member object of a manifest that leaves the Work, but not one abandoned first', async () => {
    const statusCount = async () => (await getWork(cp, 'karmada-es-m1', 'demo'))?.status?.manifestStatuses?.length;
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => { w.spec.workload.manifests.push(configMap('extra', { a: 'b' }), configMap('kept', { a: 'b' })); });
    await waitFor('both in the statuses', async () => (await statusCount()) === 5 ? true : undefined);
    assert.ok(memberGet(m1, ['configmap', 'extra', '-n', 'app']) && memberGet(m1, ['configmap', 'kept', '-n', 'app']));
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => {
      w.spec.workload.manifests.splice(3, 2, { apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: 'kept', namespace: 'app', annotations: { 'canopy.io/apply-mode': 'Abandon' } } });
    });
    await waitFor('neither in the statuses', async () => (await statusCount()) === 3 ? true : undefined);
    assert.equal(memberGet(m1, ['configmap', 'extra', '-n', 'app']), undefined, 'the removed manifest\'s object is deleted');
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => { w.spec.workload.manifests.splice(3, 1); });
    await new Promise((r) => setTimeout(r, 3000)); // past a resync
    assert.equal(memberGet(m1, ['configmap', 'kept', '-n', 'app']).data.a, 'b', 'the abandoned object stays');
  });

  it('keeps a removed manifest listed while another fails, and deletes its object once the Work applies', async () => {
    const listed = async (name: string) => (await getWork(cp, 'karmada-es-m1', 'demo'))?.status?.manifestStatuses
      ?.some((m: any) => m.identifier.name === name);
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => { w.spec.workload.manifests.push(configMap('doomed', { a: 'b' })); });
    await waitFor('doomed listed', async () => (await listed('doomed')) || undefined);
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => {
      w.spec.workload.manifests = w.spec.workload.manifests.filter((m: any) => m.metadata.name !== 'doomed');
      w.spec.workload.manifests.push(configMap('Not_A_Name', { a: 'b' }));
    });
    await waitFor('Applied=False', async () => applied(await getWork(cp, 'karmada-es-m1', 'demo'))?.status === 'False' || undefined);
    assert.equal(await listed('doomed'), true, 'still listed, so that a later pass deletes it');
    assert.ok(memberGet(m1, ['configmap', 'doomed', '-n', 'app']));
    await updateWork(cp, 'karmada-es-m1', 'demo', (w) => { w.spec.workload.manifests.pop(); });
    await waitFor('doomed deleted from the member', () => (memberGet(m1, ['configmap', 'doomed', '-n', 'app']) ? undefined : true));
    assert.equal(await listed('doomed'), false);
  });

  it('does not overwrite a member object it does not own, unless the manifest says overwrite', async () => {
    kubectlOk(m1, ['create', 'configmap', 'theirs', '-n', 'app', '--from-literal=owner=them']);
    const created = await api(cp, 'POST', WORKS('karmada-es-m1'), work('claim', [configMap('theirs', { owner: 'canopy' })]));
    assert.equal(created.status, 201, created.text);
    const refused = await waitFor('Applied=False', async () => {
      const c = applied(await getWork(cp, 'karmada-es-m1', 'claim'));
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(refused.reason, 'AppliedFailed');
    assert.equal(refused.message, 'Failed to apply all manifests (0/1): resource(kind=ConfigMap, app/theirs) already exists in the cluster m1 '
      + 'and the work.karmada.io/conflict-resolution strategy value is empty, Karmada will not manage this resource');
    assert.doesNotMatch(refused.message, new RegExp(m1.token));
    const untouched = memberGet(m1, ['configmap', 'theirs', '-n', 'app']);
    assert.equal(untouched.data.owner, 'them');
    assert.equal(untouched.metadata.labels?.['karmada.io/managed'], undefined);

    await updateWork(cp, 'karmada-es-m1', 'claim', (w) => {
      w.spec.workload.manifests[0] = configMap('theirs', { owner: 'canopy' }, { 'work.karmada.io/conflict-resolution': 'overwrite' });
    });
    await waitFor('the object taken over', async () => {
      const cm = memberGet(m1, ['configmap', 'theirs', '-n', 'app']);
      const c = applied(await getWork(cp, 'karmada-es-m1', 'claim'));
      return cm.data.owner === 'canopy' && cm.metadata.labels?.['karmada.io/managed'] === 'true' && c?.status === 'True' ? true : undefined;
    });
  });

  it('does nothing while dispatching is suspended', async () => {
    const created = await api(cp, 'POST', WORKS('karmada-es-m2'), work('held', [{ ...configMap('held', { a: 'b' }), metadata: { name: 'held', namespace: 'default' } }], { suspendDispatching: true }));
    assert.equal(created.status, 201, created.text);
    const dispatching = await waitFor('Dispatching=False', async () => {
      const c = (await getWork(cp, 'karmada-es-m2', 'held'))?.status?.conditions?.find((x: any) => x.type === 'Dispatching');
      return c?.status === 'False' ? c : undefined;
    });
    assert.deepEqual([dispatching.reason, dispatching.message], ['SuspendDispatching', 'Work dispatching is in a suspended state.']);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(memberGet(m2, ['configmap', 'held', '-n', 'default']), undefined, 'a suspended Work is not applied');
    await updateWork(cp, 'karmada-es-m2', 'held', (w) => { w.spec.suspendDispatching = false; });
    await waitFor('the Work applied once resumed', () => memberGet(m2, ['configmap', 'held', '-n', 'default']) ? true : undefined);
    assert.equal((await api(cp, 'DELETE', `${WORKS('karmada-es-m2')}/held`)).status, 200);
    await waitFor('the object removed with the Work', () => memberGet(m2, ['configmap', 'held', '-n', 'default']) === undefined ? true : undefined);
  });

  it('deletes the member objects of a deleted Work, then lets the Work go', async () => {
    // The other Work in namespace app goes first: while it exists, it needs the namespace (and would create it again).
    assert.equal((await api(cp, 'DELETE', `${WORKS('karmada-es-m1')}/claim`)).status, 200);
    await waitFor('the claim Work gone', async () => (await getWork(cp, 'karmada-es-m1', 'claim')) === undefined ? true : undefined);
    const deleted = await api(cp, 'DELETE', `${WORKS('karmada-es-m1')}/demo`);
    assert.equal(deleted.status, 200, deleted.text);
    await waitFor('the Work gone', async () => (await getWork(cp, 'karmada-es-m1', 'demo')) === undefined ? true : undefined);
    assert.equal(memberGet(m1, ['deployment', 'web', '-n', 'app']), undefined);
    assert.equal(memberGet(m1, ['configmap', 'settings', '-n', 'app']), undefined);
    const ns = memberGet(m1, ['namespace', 'app']);
    assert.ok(ns === undefined || ns.metadata.deletionTimestamp, 'the namespace is deleted');
  });

  it('unjoin still removes what Canopy placed; the execution namespace and its Works go with the Cluster', async () => {
    await waitFor('the member namespace gone', () => memberGet(m1, ['namespace', 'app']) === undefined ? true : undefined);
    // Re-create a placed object in a namespace that stays.
    const created = await api(cp, 'POST', WORKS('karmada-es-m1'), work('left', [{ ...configMap('left', { a: 'b' }), metadata: { name: 'left', namespace: 'default' } }]));
    assert.equal(created.status, 201, created.text);
    await waitFor('the object placed', () => memberGet(m1, ['configmap', 'left', '-n', 'default']) ? true : undefined);
    const unjoined = canopy(['unjoin', 'm1'], cp);
    assert.equal(unjoined.code, 0, unjoined.stderr);
    assert.equal(memberGet(m1, ['configmap', 'left', '-n', 'default']), undefined);
    await waitFor('karmada-es-m1 gone with its Works', async () =>
      (await api(cp, 'GET', '/api/v1/namespaces/karmada-es-m1')).status === 404 ? true : undefined);
    assert.equal((await api(cp, 'GET', '/api/v1/namespaces/karmada-es-m2')).status, 200);
  });
});

describe('execution helpers', () => {
  it('keeps what the member owns on update', () => {
    const desired = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { a: '1' } }, spec: { ports: [{ port: 80 }] } };
    const observed = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 's', resourceVersion: '7', labels: { b: '2' }, annotations: { x: 'y' }, finalizers: ['f'] },
      spec: { clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ports: [{ port: 80, nodePort: 30001 }] },
      status: { loadBalancer: {} },
    };
    assert.deepEqual(retainClusterFields(desired, observed), {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 's', resourceVersion: '7', labels: { b: '2', a: '1' }, annotations: { x: 'y' }, finalizers: ['f'] },
      spec: { clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ports: [{ port: 80, nodePort: 30001 }] },
      status: { loadBalancer: {} },
    });
  });

  it('interprets health as the default interpreter does', () => {
    const d = (status: any) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 2 }, status });
    assert.equal(interpretHealth(d({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 })), 'Healthy');
    assert.equal(interpretHealth(d({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 })), 'Unhealthy');
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'ConfigMap' }), 'Unknown');
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Bound' } }), 'Healthy');
  });
});
