// End-to-end: HNC's subnamespaces on a control plane and on a member, with the real kubectl. Anchors are created
// with the body `kubectl hns create CHILD -n PARENT` sends; the subnamespaces, their annotation, tree labels and
// deletion are checked through kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  api, kubectl, kubectlOk, lines, removeDir, startServer, type RunningServer, waitFor,
} from './support/server.ts';

const ANCHORS = (parent: string) => `/apis/hnc.x-k8s.io/v1alpha2/namespaces/${parent}/subnamespaceanchors`;

/** What `kubectl hns create CHILD -n PARENT` posts: the anchor with its name and namespace, empty spec and status. */
async function hnsCreate(server: RunningServer, child: string, parent: string): Promise<void> {
  const anchor = {
    kind: 'SubnamespaceAnchor', apiVersion: 'hnc.x-k8s.io/v1alpha2',
    metadata: { name: child, namespace: parent, creationTimestamp: null }, spec: {}, status: {},
  };
  const answer = await api(server, 'POST', `${ANCHORS(parent)}/${child}`, anchor);
  assert.equal(answer.status, 201, answer.text);
}

function namespace(server: RunningServer, name: string): any {
  const r = kubectl(server, ['get', 'namespace', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

/** The tree labels among a namespace's labels. */
function treeLabelsOf(ns: any): Record<string, string> {
  return Object.fromEntries(Object.entries(ns?.metadata.labels ?? {}).filter(([k]) => k.endsWith('.tree.hnc.x-k8s.io/depth'))) as Record<string, string>;
}

async function waitForTreeLabels(server: RunningServer, name: string, expected: Record<string, string>): Promise<any> {
  return waitFor(`tree labels ${JSON.stringify(expected)} on ${name}`, () => {
    const ns = namespace(server, name);
    try {
      assert.deepEqual(treeLabelsOf(ns), expected);
      return ns;
    } catch {
      return undefined;
    }
  });
}

function anchorState(server: RunningServer, child: string, parent: string): string {
  return kubectl(server, ['get', 'subns', child, '-n', parent, '-o', 'jsonpath={.status.status}']).stdout;
}

async function waitForAnchorState(server: RunningServer, child: string, parent: string, state: string): Promise<void> {
  await waitFor(`anchor ${parent}/${child} ${state}`, () => (anchorState(server, child, parent) === state ? true : undefined));
}

async function waitForGone(server: RunningServer, args: string[]): Promise<void> {
  await waitFor(`${args.join(' ')} gone`, () => {
    const r = kubectl(server, ['get', ...args]);
    return r.code !== 0 && r.stderr.includes('NotFound') ? true : undefined;
  });
}

describe('subnamespaces (HNC)', () => {
  let cp: RunningServer;
  let member: RunningServer;

  before(async () => {
    [cp, member] = await Promise.all([startServer(), startServer({ command: 'member', name: 'm1' })]);
  });

  after(async () => {
    for (const server of [cp, member]) {
      if (!server) continue;
      await server.stop();
      removeDir(server.dir);
    }
  });

  it('serves the SubnamespaceAnchor CRD with its short name', () => {
    const resources = lines(kubectlOk(cp, ['api-resources', '--api-group', 'hnc.x-k8s.io', '--no-headers']));
    assert.deepEqual(resources.map((l) => l.split(/\s+/)), [['subnamespaceanchors', 'subns', 'hnc.x-k8s.io/v1alpha2', 'true', 'SubnamespaceAnchor']]);
  });

  it('creates the subnamespace of an anchor with its annotation and the tree labels', async () => {
    kubectlOk(cp, ['create', 'namespace', 'team']);
    await hnsCreate(cp, 'svc', 'team');
    const svc = await waitForTreeLabels(cp, 'svc', { 'svc.tree.hnc.x-k8s.io/depth': '0', 'team.tree.hnc.x-k8s.io/depth': '1' });
    assert.equal(svc.metadata.annotations['hnc.x-k8s.io/subnamespace-of'], 'team');
    assert.equal(svc.metadata.labels['hnc.x-k8s.io/included-namespace'], 'true');
    await waitForTreeLabels(cp, 'team', { 'team.tree.hnc.x-k8s.io/depth': '0' });
    await waitForAnchorState(cp, 'svc', 'team', 'Ok');
    assert.equal(kubectlOk(cp, ['get', 'subns', 'svc', '-n', 'team', '-o', 'jsonpath={.metadata.finalizers}']), '["hnc.x-k8s.io"]');
  });

  it('gives a subnamespace of a subnamespace the whole chain, selectable by its root', async () => {
    kubectlOk(cp, ['apply', '-f', '-'], {
      input: 'apiVersion: hnc.x-k8s.io/v1alpha2\nkind: SubnamespaceAnchor\nmetadata:\n  name: svc-v1\n  namespace: svc\n',
    });
    await waitForTreeLabels(cp, 'svc-v1',
      { 'svc-v1.tree.hnc.x-k8s.io/depth': '0', 'svc.tree.hnc.x-k8s.io/depth': '1', 'team.tree.hnc.x-k8s.io/depth': '2' });
    const tree = lines(kubectlOk(cp, ['get', 'ns', '-l', 'team.tree.hnc.x-k8s.io/depth', '-o', 'name']));
    assert.deepEqual(tree.sort(), ['namespace/svc', 'namespace/svc-v1', 'namespace/team']);
    const children = lines(kubectlOk(cp, ['get', 'ns', '-l', 'team.tree.hnc.x-k8s.io/depth=1', '-o', 'name']));
    assert.deepEqual(children, ['namespace/svc']);
  });

  it('carries a root\'s own tree labels down the chain when they change', async () => {
    kubectlOk(cp, ['label', 'namespace', 'team', 'org.tree.hnc.x-k8s.io/depth=1']);
    await waitForTreeLabels(cp, 'svc-v1', {
      'svc-v1.tree.hnc.x-k8s.io/depth': '0', 'svc.tree.hnc.x-k8s.io/depth': '1', 'team.tree.hnc.x-k8s.io/depth': '2',
      'org.tree.hnc.x-k8s.io/depth': '3',
    });
    kubectlOk(cp, ['label', 'namespace', 'team', 'org.tree.hnc.x-k8s.io/depth-']);
    await waitForTreeLabels(cp, 'svc-v1',
      { 'svc-v1.tree.hnc.x-k8s.io/depth': '0', 'svc.tree.hnc.x-k8s.io/depth': '1', 'team.tree.hnc.x-k8s.io/depth': '2' });
  });

  it('puts back a subnamespace\'s tree labels when they are edited', async () => {
    kubectlOk(cp, ['label', 'namespace', 'svc', '--overwrite', 'team.tree.hnc.x-k8s.io/depth=7', 'other.tree.hnc.x-k8s.io/depth=1']);
    await waitForTreeLabels(cp, 'svc', { 'svc.tree.hnc.x-k8s.io/depth': '0', 'team.tree.hnc.x-k8s.io/depth': '1' });
  });

  it('reports Conflict for an existing namespace, and deleting that anchor leaves the namespace', async () => {
    kubectlOk(cp, ['create', 'namespace', 'taken']);
    await hnsCreate(cp, 'taken', 'team');
    await waitForAnchorState(cp, 'taken', 'team', 'Conflict');
    assert.equal(namespace(cp, 'taken').metadata.annotations?.['hnc.x-k8s.io/subnamespace-of'], undefined);
    kubectlOk(cp, ['delete', 'subns', 'taken', '-n', 'team']);
    await waitForGone(cp, ['subns', 'taken', '-n', 'team']);
    assert.ok(namespace(cp, 'taken'));
  });

  it('reports Forbidden for an excluded namespace, without a finalizer', async () => {
    await hnsCreate(cp, 'kube-public', 'team');
    await waitForAnchorState(cp, 'kube-public', 'team', 'Forbidden');
    assert.equal(kubectlOk(cp, ['get', 'subns', 'kube-public', '-n', 'team', '-o', 'jsonpath={.metadata.finalizers}']), '');
    assert.equal(namespace(cp, 'kube-public').metadata.annotations?.['hnc.x-k8s.io/subnamespace-of'], undefined);
    kubectlOk(cp, ['delete', 'subns', 'kube-public', '-n', 'team']);
  });

  it('keeps a subnamespace that has subnamespaces of its own when its anchor goes', async () => {
    kubectlOk(cp, ['delete', 'subns', 'svc', '-n', 'team']);
    await waitForGone(cp, ['subns', 'svc', '-n', 'team']);
    assert.equal(namespace(cp, 'svc').metadata.deletionTimestamp, undefined);
    await hnsCreate(cp, 'svc', 'team');
    await waitForAnchorState(cp, 'svc', 'team', 'Ok');
  });

  it('deletes the subnamespace with its anchor, leaves first', async () => {
    kubectlOk(cp, ['delete', 'subns', 'svc-v1', '-n', 'svc', '--wait']);
    await waitForGone(cp, ['namespace', 'svc-v1']);
    kubectlOk(cp, ['delete', 'subns', 'svc', '-n', 'team', '--wait']);
    await waitForGone(cp, ['namespace', 'svc']);
    assert.deepEqual(lines(kubectlOk(cp, ['get', 'ns', '-l', 'team.tree.hnc.x-k8s.io/depth', '-o', 'name'])), ['namespace/team']);
  });

  it('finishes what an anchor asked for after a crash', async () => {
    await hnsCreate(cp, 'after-crash', 'team');
    await cp.kill();
    cp = await startServer({ dir: cp.dir });
    await waitForTreeLabels(cp, 'after-crash', { 'after-crash.tree.hnc.x-k8s.io/depth': '0', 'team.tree.hnc.x-k8s.io/depth': '1' });
    await waitForAnchorState(cp, 'after-crash', 'team', 'Ok');
    kubectlOk(cp, ['delete', 'subns', 'after-crash', '-n', 'team']);
    await waitForGone(cp, ['namespace', 'after-crash']);
  });

  it('makes subnamespaces on a member cluster too', async () => {
    kubectlOk(member, ['create', 'namespace', 'shop']);
    await hnsCreate(member, 'shop-dev', 'shop');
    const dev = await waitForTreeLabels(member, 'shop-dev', { 'shop-dev.tree.hnc.x-k8s.io/depth': '0', 'shop.tree.hnc.x-k8s.io/depth': '1' });
    assert.equal(dev.metadata.annotations['hnc.x-k8s.io/subnamespace-of'], 'shop');
    await waitForAnchorState(member, 'shop-dev', 'shop', 'Ok');
    kubectlOk(member, ['delete', 'subns', 'shop-dev', '-n', 'shop']);
    await waitForGone(member, ['namespace', 'shop-dev']);
    await waitForGone(member, ['subns', 'shop-dev', '-n', 'shop']);
  });
});
