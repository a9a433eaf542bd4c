// End-to-end: the real kubectl binary (1.32 on PATH, plus a 1.27 smoke subset) against `canopy serve`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  api, kubectl, KUBECTL, kubectlFails, kubectlOk, lines, removeDir, startServer, type KubectlResult, type RunningServer,
} from './support/server.ts';

const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

let server: RunningServer;

function k(args: string[], input?: string, binary?: string): KubectlResult {
  return kubectl(server, args, { ...(input !== undefined ? { input } : {}), ...(binary ? { binary } : {}) });
}

const ok = (args: string[], input?: string, binary?: string) => kubectlOk(server, args, { input, binary });
const fails = (args: string[], input?: string) => kubectlFails(server, args, { input });
const fails127 = (args: string[], input?: string) => kubectlFails(server, args, { input, binary: KUBECTL_127 });

function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

function configMapYaml(name: string, namespace: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${JSON.stringify(name)}`,
    `  namespace: ${JSON.stringify(namespace)}`,
    `  labels: ${JSON.stringify(labels)}`,
    `data: ${JSON.stringify(data)}`,
    '',
  ].join('\n');
}

function appYaml(namespace: string, image = 'nginx:1.25', replicasLine = 'replicas: 1'): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
  labels:
    app: web
spec:
  ${replicasLine}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${namespace}
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: ${namespace}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
data:
  mode: production
`;
}

/** A kubectl process left running (for -w); collects stdout. */
class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private waiters: Array<() => void> = [];

  constructor(args: string[]) {
    this.child = spawn(KUBECTL, ['--kubeconfig', server.kubeconfig, '--cache-dir', join(server.dir, 'kubectl-cache'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => { this.stdout += c; this.notify(); });
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => { this.stderr += c; this.notify(); });
    this.child.on('exit', () => this.notify());
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (this.child.exitCode !== null) throw new Error(`kubectl exited (${this.child.exitCode}) before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 500));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.on('exit', () => r()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

describe('kubectl against canopy serve', () => {
  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dir);
  });

  it('create namespace', () => {
    assert.match(ok(['create', 'namespace', 'typed']), /^namespace\/typed created$/m);
    assert.equal(ok(['get', 'namespace', 'typed', '-o', 'jsonpath={.status.phase}']), 'Active');
    // Other typed creates kubectl sends as protobuf.
    assert.match(ok(['create', 'configmap', 'literal', '-n', 'typed', '--from-literal=a=1', '--from-literal=b=2']), /configmap\/literal created/);
    assert.deepEqual(JSON.parse(ok(['get', 'configmap', 'literal', '-n', 'typed', '-o', 'jsonpath={.data}'])), { a: '1', b: '2' });
    assert.match(ok(['create', 'deployment', 'hello', '-n', 'typed', '--image=nginx:1.27', '--replicas=2']), /deployment.apps\/hello created/);
    assert.equal(ok(['get', 'deployment', 'hello', '-n', 'typed', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app}']),
      '2 nginx:1.27 hello');
    assert.match(ok(['create', 'serviceaccount', 'robot', '-n', 'typed']), /serviceaccount\/robot created/);
    assert.match(ok(['delete', 'namespace', 'typed', '--wait', '--timeout=90s']), /namespace "typed" deleted/);
  });

  it('objects without a namespace go to the default namespace', () => {
    assert.match(ok(['get', 'namespace']), /^default\s+Active/m);
    assert.match(ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in-default\n'), /configmap\/in-default created/);
    ok(['delete', 'configmap', 'in-default']);
  });

  describe('apply', () => {
    it('creates every document of a multi-document YAML', () => {
      const out = ok(['apply', '-f', '-'], appYaml('app'));
      assert.deepEqual(lines(out), [
        'namespace/app created',
        'deployment.apps/web created',
        'service/web created',
        'serviceaccount/builder created',
        'configmap/settings created',
      ]);
    });

    it('re-applying the same YAML leaves everything unchanged', () => {
      const out = ok(['apply', '-f', '-'], appYaml('app'));
      const all = lines(out);
      assert.equal(all.length, 5);
      for (const line of all) assert.match(line, / unchanged$/);
    });

    it('changing the image configures the deployment', () => {
      const out = ok(['apply', '-f', '-'], appYaml('app', 'nginx:1.26'));
      assert.deepEqual(lines(out), [
        'namespace/app unchanged',
        'deployment.apps/web configured',
        'service/web unchanged',
        'serviceaccount/builder unchanged',
        'configmap/settings unchanged',
      ]);
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}']),
        'nginx:1.26 2');
    });

    it('rejects an unknown field with strict validation', () => {
      // On an existing object (the apply patch) ...
      const err = fails(['apply', '-f', '-'], appYaml('app', 'nginx:1.26', 'replicaz: 1'));
      assert.match(err, /Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.replicaz"/);
      assert.doesNotMatch(err, /unknown field "unknown field/);
      // ... and on a create.
      const created = fails(['create', '-f', '-'], appYaml('app', 'nginx:1.26', 'replicaz: 1').split('---\n')[1]!.replace('name: web', 'name: web2'));
      assert.match(created, /error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.replicaz"$/m);
      assert.match(fails(['get', 'deployment', 'web2', '-n', 'app']), /deployments.apps "web2" not found/);
      // Nothing changed on the existing deployment.
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '1 2');
    });

    it('warns about an unknown field with --validate=warn', () => {
      const doc = appYaml('app', 'nginx:1.26', 'replicaz: 1').split('---\n')[1]!.replace('name: web', 'name: web-warn');
      const r = k(['create', '--validate=warn', '-f', '-'], doc);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^Warning: unknown field "spec\.replicaz"$/m);
      ok(['delete', 'deployment', 'web-warn', '-n', 'app']);
    });
  });

  describe('get', () => {
    it('prints the upstream table for deployments', () => {
      const out = lines(ok(['get', 'deployments', '-n', 'app']));
      assert.equal(out[0], 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE');
      assert.match(out[1]!, /^web\s+0\/1\s+0\s+0\s+\d+s$/);
      assert.equal(out.length, 2);
    });

    it('-o wide adds containers, images and selector', () => {
      const out = lines(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'wide']));
      assert.match(out[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
      assert.match(out[1]!, /^web\s+0\/1\s+0\s+0\s+\S+\s+web\s+nginx:1\.26\s+app=web$/);
    });

    it('-o json and -o yaml', () => {
      const json = JSON.parse(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'json']));
      assert.equal(json.apiVersion, 'apps/v1');
      assert.equal(json.kind, 'Deployment');
      assert.equal(json.metadata.name, 'web');
      assert.equal(json.metadata.namespace, 'app');
      assert.ok(json.metadata.uid);
      assert.ok(json.metadata.resourceVersion);
      assert.equal(json.spec.template.spec.containers[0].image, 'nginx:1.26');

      const yaml = parse(ok(['get', 'configmap', 'settings', '-n', 'app', '-o', 'yaml']));
      assert.equal(yaml.kind, 'ConfigMap');
      assert.deepEqual(yaml.data, { mode: 'production' });

      const list = JSON.parse(ok(['get', 'configmaps,services', '-n', 'app', '-o', 'json']));
      assert.equal(list.kind, 'List');
      assert.deepEqual(list.items.map((i: any) => `${i.kind}/${i.metadata.name}`).sort(), ['ConfigMap/settings', 'Service/web']);
    });

    it('tables for other kinds', () => {
      assert.match(ok(['get', 'services', '-n', 'app']), /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nweb\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\S+\n$/);
      assert.match(ok(['get', 'configmap', 'settings', '-n', 'app']), /^NAME\s+DATA\s+AGE\nsettings\s+1\s+\S+\n$/);
      assert.match(ok(['get', 'namespace', 'app']), /^NAME\s+STATUS\s+AGE\napp\s+Active\s+\S+\n$/);
      assert.match(ok(['get', 'serviceaccounts', '-n', 'app', '-o', 'name']), /^serviceaccount\/builder$/m);
    });

    it('-w prints events as the object changes', async () => {
      ok(['apply', '-f', '-'], configMapYaml('watched', 'app', { a: '1' }));
      const watcher = new Background(['get', 'configmap', 'watched', '-n', 'app', '-w', '--output-watch-events']);
      try {
        await watcher.waitFor(/^ADDED\s+watched\s+1\s/m);
        ok(['label', 'configmap', 'watched', '-n', 'app', 'seen=yes']);
        await watcher.waitFor(/^MODIFIED\s+watched\s+1\s/m);
        ok(['delete', 'configmap', 'watched', '-n', 'app']);
        await watcher.waitFor(/^DELETED\s+watched\s+1\s/m);
        assert.match(watcher.stdout, /^EVENT\s+NAME\s+DATA\s+AGE$/m);
      } finally {
        await watcher.stop();
      }
    });

    it('-w -o name prints a line per change', async () => {
      ok(['apply', '-f', '-'], configMapYaml('watched2', 'app', { a: '1' }));
      const watcher = new Background(['get', 'configmap', 'watched2', '-n', 'app', '-w', '-o', 'name']);
      try {
        await watcher.waitFor(/configmap\/watched2\n/);
        ok(['annotate', 'configmap', 'watched2', '-n', 'app', 'touched=1']);
        await watcher.waitFor(/(configmap\/watched2\n){2}/);
      } finally {
        await watcher.stop();
        ok(['delete', 'configmap', 'watched2', '-n', 'app']);
      }
    });
  });

  describe('label, annotate and patch', () => {
    it('label and annotate', () => {
      assert.match(ok(['label', 'configmap', 'settings', '-n', 'app', 'tier=backend']), /configmap\/settings labeled/);
      assert.match(ok(['annotate', 'configmap', 'settings', '-n', 'app', 'note=hello']), /configmap\/settings annotated/);
      assert.equal(ok(['get', 'configmap', 'settings', '-n', 'app', '-o', 'jsonpath={.metadata.labels.tier} {.metadata.annotations.note}']),
        'backend hello');
      // Overwriting needs --overwrite; removing uses key-.
      assert.match(fails(['label', 'configmap', 'settings', '-n', 'app', 'tier=frontend']), /already has a value \(backend\)/);
      ok(['label', 'configmap', 'settings', '-n', 'app', 'tier=frontend', '--overwrite']);
      ok(['annotate', 'configmap', 'settings', '-n', 'app', 'note-']);
      const obj = JSON.parse(ok(['get', 'configmap', 'settings', '-n', 'app', '-o', 'json']));
      assert.equal(obj.metadata.labels.tier, 'frontend');
      assert.equal(obj.metadata.annotations?.note, undefined);
    });

    it('patch --type=merge', () => {
      assert.match(ok(['patch', 'configmap', 'settings', '-n', 'app', '--type=merge', '-p', '{"data":{"extra":"1"}}']), /configmap\/settings patched/);
      assert.deepEqual(JSON.parse(ok(['get', 'configmap', 'settings', '-n', 'app', '-o', 'jsonpath={.data}'])), { mode: 'production', extra: '1' });
      assert.match(ok(['patch', 'configmap', 'settings', '-n', 'app', '--type=merge', '-p', '{"data":{"extra":"1"}}']), /patched \(no change\)/);
    });

    it('patch --type=json', () => {
      ok(['patch', 'configmap', 'settings', '-n', 'app', '--type=json', '-p',
        '[{"op":"replace","path":"/data/mode","value":"dev"},{"op":"remove","path":"/data/extra"}]']);
      assert.deepEqual(JSON.parse(ok(['get', 'configmap', 'settings', '-n', 'app', '-o', 'jsonpath={.data}'])), { mode: 'dev' });
      const err = fails(['patch', 'configmap', 'settings', '-n', 'app', '--type=json', '-p', '[{"op":"test","path":"/data/mode","value":"prod"}]']);
      assert.match(err, /testing value \/data\/mode failed|test operation/i);
    });

    it('patch --type=strategic merges containers by name', () => {
      ok(['patch', 'deployment', 'web', '-n', 'app', '--type=strategic', '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}']);
      const containers = JSON.parse(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.containers}']));
      const byName = Object.fromEntries(containers.map((c: any) => [c.name, c.image]));
      assert.deepEqual(byName, { web: 'nginx:1.26', sidecar: 'busybox:1.36' });
      // Upstream's order: patch items not on the server come first.
      assert.deepEqual(containers.map((c: any) => c.name), ['sidecar', 'web']);
      // Patching the sidecar again changes only it; the default patch type is strategic.
      ok(['patch', 'deployment', 'web', '-n', 'app', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.containers[*].image}']), 'busybox:1.37 nginx:1.26');
      // $patch: delete removes by name.
      ok(['patch', 'deployment', 'web', '-n', 'app', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']), 'web');
    });

    it('patch --type=strategic merges newer lists by their keys (topologySpreadConstraints by topologyKey)', () => {
      const constraint = (topologyKey: string, maxSkew: number) => ({ topologyKey, maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } });
      const patch = (constraints: object[]) => JSON.stringify({ spec: { template: { spec: { topologySpreadConstraints: constraints } } } });
      ok(['patch', 'deployment', 'web', '-n', 'app', '--type=strategic', '-p', patch([constraint('kubernetes.io/hostname', 1)])]);
      ok(['patch', 'deployment', 'web', '-n', 'app', '--type=strategic', '-p', patch([constraint('topology.kubernetes.io/zone', 2)])]);
      const merged = JSON.parse(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.topologySpreadConstraints}']));
      assert.deepEqual(merged.map((c: any) => [c.topologyKey, c.maxSkew]).sort(), [['kubernetes.io/hostname', 1], ['topology.kubernetes.io/zone', 2]]);
      ok(['patch', 'deployment', 'web', '-n', 'app', '-p', patch([{ topologyKey: 'kubernetes.io/hostname', $patch: 'delete' }, { topologyKey: 'topology.kubernetes.io/zone', $patch: 'delete' }])]);
      assert.deepEqual(JSON.parse(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.template.spec.topologySpreadConstraints}']) || '[]'), []);
    });
  });

  describe('scale and rollout', () => {
    it('scale deployment', () => {
      assert.match(ok(['scale', 'deployment', 'web', '-n', 'app', '--replicas=3']), /deployment.apps\/web scaled/);
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.spec.replicas}']), '3');
    });

    it('rollout restart sets the restartedAt annotation', () => {
      const generation = Number(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'jsonpath={.metadata.generation}']));
      assert.match(ok(['rollout', 'restart', 'deployment', 'web', '-n', 'app']), /deployment.apps\/web restarted/);
      const obj = JSON.parse(ok(['get', 'deployment', 'web', '-n', 'app', '-o', 'json']));
      const at = obj.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
      assert.ok(at, 'restartedAt annotation is set');
      assert.ok(!Number.isNaN(Date.parse(at)), `restartedAt is a timestamp: ${at}`);
      assert.equal(obj.metadata.generation, generation + 1);
    });
  });

  describe('label selectors', () => {
    before(() => {
      ok(['apply', '-f', '-'], [
        namespaceYaml('sel'),
        configMapYaml('a', 'sel', {}, { env: 'prod', tier: 'web' }),
        configMapYaml('b', 'sel', {}, { env: 'dev', tier: 'web' }),
        configMapYaml('c', 'sel', {}, { env: 'test' }),
        configMapYaml('d', 'sel', {}, {}),
      ].join('---\n'));
    });

    const cases: Array<[string, string[]]> = [
      ['env=prod', ['a']],
      ['env==prod', ['a']],
      ['env!=prod', ['b', 'c', 'd']],
      ['env in (prod,dev)', ['a', 'b']],
      ['env notin (prod,dev)', ['c', 'd']],
      ['tier', ['a', 'b']],
      ['!tier', ['c', 'd']],
      ['tier=web,env!=dev', ['a']],
    ];
    for (const [selector, expected] of cases) {
      it(`-l '${selector}'`, () => {
        const out = ok(['get', 'configmaps', '-n', 'sel', '-l', selector, '-o', 'name']);
        assert.deepEqual(lines(out).sort(), expected.map((n) => `configmap/${n}`));
      });
    }

    it('an invalid selector is rejected', () => {
      assert.match(fails(['get', 'configmaps', '-n', 'sel', '-l', 'env in prod']), /unable to parse requirement|found 'prod', expected: '\('/);
    });
  });

  describe('delete', () => {
    it('delete --wait of a ConfigMap', () => {
      ok(['apply', '-f', '-'], configMapYaml('doomed', 'app', { x: 'y' }));
      assert.match(ok(['delete', 'configmap', 'doomed', '-n', 'app', '--wait', '--timeout=30s']), /configmap "doomed" deleted/);
      assert.match(fails(['get', 'configmap', 'doomed', '-n', 'app']), /configmaps "doomed" not found/);
      assert.match(fails(['delete', 'configmap', 'doomed', '-n', 'app']), /NotFound.*configmaps "doomed" not found/);
      assert.equal(ok(['delete', 'configmap', 'doomed', '-n', 'app', '--ignore-not-found']), '');
    });

    it('delete --all deletes every ConfigMap in the namespace', () => {
      ok(['apply', '-f', '-'], [namespaceYaml('bulk'), ...['one', 'two', 'three'].map((n) => configMapYaml(n, 'bulk'))].join('---\n'));
      ok(['apply', '-f', '-'], configMapYaml('other-ns', 'app'));
      const out = ok(['delete', 'configmap', '--all', '-n', 'bulk']);
      assert.deepEqual(lines(out).sort(), ['configmap "one" deleted', 'configmap "three" deleted', 'configmap "two" deleted']);
      assert.equal(ok(['get', 'configmaps', '-n', 'bulk', '-o', 'name']), '');
      // Other namespaces are untouched.
      assert.match(ok(['get', 'configmap', 'other-ns', '-n', 'app', '-o', 'name']), /configmap\/other-ns/);
      ok(['delete', 'configmap', 'other-ns', '-n', 'app']);
    });

    it('deletecollection with a label selector', async () => {
      ok(['apply', '-f', '-'], ['x1', 'x2', 'x3'].map((n, i) => configMapYaml(n, 'bulk', {}, { batch: i < 2 ? 'old' : 'new' })).join('---\n'));
      const res = await api(server, 'DELETE', '/api/v1/namespaces/bulk/configmaps?labelSelector=batch%3Dold');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.kind, 'ConfigMapList');
      assert.deepEqual(lines(ok(['get', 'configmaps', '-n', 'bulk', '-o', 'name'])), ['configmap/x3']);
    });

    it('delete --wait of a Namespace removes its contents, then the namespace', () => {
      ok(['apply', '-f', '-'], appYaml('gone'));
      assert.match(ok(['delete', 'namespace', 'gone', '--wait', '--timeout=90s']), /namespace "gone" deleted/);
      assert.match(fails(['get', 'namespace', 'gone']), /namespaces "gone" not found/);
      for (const kind of ['deployments', 'services', 'serviceaccounts', 'configmaps']) {
        const list = JSON.parse(ok(['get', kind, '-A', '-o', 'json']));
        assert.deepEqual(list.items.filter((i: any) => i.metadata.namespace === 'gone'), [], `${kind} left in namespace gone`);
      }
      // The name can be used again.
      assert.match(ok(['apply', '-f', '-'], namespaceYaml('gone')), /namespace\/gone created/);
      ok(['delete', 'namespace', 'gone', '--wait', '--timeout=90s']);
    });

    it('delete -f deletes what the file names', () => {
      ok(['apply', '-f', '-'], appYaml('byfile'));
      // Without the Namespace document: deleting it first lets the namespace controller race kubectl for the contents.
      const contents = appYaml('byfile').split('---\n').slice(1).join('---\n');
      const out = ok(['delete', '-f', '-', '--wait', '--timeout=90s'], contents);
      assert.deepEqual(lines(out), [
        'deployment.apps "web" deleted',
        'service "web" deleted',
        'serviceaccount "builder" deleted',
        'configmap "settings" deleted',
      ]);
      assert.equal(ok(['get', 'deployments,services,serviceaccounts,configmaps', '-n', 'byfile', '-o', 'name']), '');
      assert.match(ok(['delete', '-f', '-', '--wait', '--timeout=90s'], namespaceYaml('byfile')), /namespace "byfile" deleted/);
      assert.match(fails(['get', 'namespace', 'byfile']), /not found/);
    });
  });

  describe('discovery and explain', () => {
    it('api-resources', () => {
      const out = lines(ok(['api-resources']));
      assert.match(out[0]!, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
      const row = (name: string) => out.find((l) => l.split(/\s+/)[0] === name)?.split(/\s+/);
      assert.deepEqual(row('deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      assert.deepEqual(row('configmaps'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
      assert.deepEqual(row('namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
      assert.deepEqual(row('serviceaccounts'), ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount']);
      const namespaced = lines(ok(['api-resources', '--namespaced=false', '-o', 'name']));
      assert.ok(namespaced.includes('namespaces'));
      assert.ok(!namespaced.includes('configmaps'));
    });

    it('short names resolve', () => {
      assert.match(ok(['get', 'deploy', '-n', 'app', '-o', 'name']), /^deployment.apps\/web$/m);
      assert.match(ok(['get', 'cm', 'settings', '-n', 'app', '-o', 'name']), /^configmap\/settings$/m);
    });

    it('explain deployment.spec', () => {
      const out = ok(['explain', 'deployment.spec']);
      assert.match(out, /^KIND:\s+Deployment$/m);
      assert.match(out, /^VERSION:\s+v1$/m);
      assert.match(out, /^\s+replicas\s+<integer>$/m);
      assert.match(out, /^\s+template\s+<PodTemplateSpec> -required-$/m);
    });

    it('version talks to the server', () => {
      const out = JSON.parse(ok(['version', '-o', 'json']));
      assert.ok(out.serverVersion?.gitVersion, 'serverVersion.gitVersion');
    });
  });

  describe('errors', () => {
    it('an invalid namespace name is Invalid with the RFC 1123 message', () => {
      const err = fails(['apply', '-f', '-'], namespaceYaml('Bad_Name'));
      assert.match(err, /The Namespace "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character/);
    });

    it('create namespace Bad_Name is Invalid', () => {
      const err = fails(['create', 'namespace', 'Bad_Name']);
      assert.match(err, /Invalid/);
      assert.match(err, /a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'/);
    });

    it('get of a missing deployment is NotFound', () => {
      const r = k(['get', 'deployment', 'missing', '-n', 'app']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): deployments.apps "missing" not found');
    });

    it('creating the same ConfigMap twice is AlreadyExists', () => {
      const doc = configMapYaml('twice', 'app', { a: 'b' });
      assert.match(ok(['create', '-f', '-'], doc), /configmap\/twice created/);
      const err = fails(['create', '-f', '-'], doc);
      assert.match(err, /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "twice" already exists/);
      ok(['delete', 'configmap', 'twice', '-n', 'app']);
    });

    it('a missing namespace is NotFound', () => {
      const err = fails(['apply', '-f', '-'], configMapYaml('lost', 'no-such-namespace'));
      assert.match(err, /namespaces "no-such-namespace" not found/);
    });

    it('an unknown resource type', () => {
      assert.match(fails(['get', 'widgets']), /the server doesn't have a resource type "widgets"/);
    });
  });

  describe('kubectl 1.27', { skip: existsSync(KUBECTL_127) ? false : `${KUBECTL_127} is missing` }, () => {
    it('apply, re-apply, get and delete', () => {
      const out = ok(['apply', '-f', '-'], appYaml('old'), KUBECTL_127);
      assert.deepEqual(lines(out), [
        'namespace/old created',
        'deployment.apps/web created',
        'service/web created',
        'serviceaccount/builder created',
        'configmap/settings created',
      ]);
      // Re-applying patches with the strategic merge patch kubectl 1.27 builds from /openapi/v2.
      const again = lines(ok(['apply', '-f', '-'], appYaml('old', 'nginx:1.26'), KUBECTL_127));
      assert.ok(again.includes('deployment.apps/web configured'), again.join('\n'));
      assert.ok(again.includes('configmap/settings unchanged'), again.join('\n'));
      assert.equal(ok(['get', 'deployment', 'web', '-n', 'old', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], undefined, KUBECTL_127),
        'nginx:1.26');
      assert.match(fails127(['apply', '-f', '-'], appYaml('old', 'nginx:1.26', 'replicaz: 1')), /unknown field "spec\.replicaz"/);
      const table = lines(ok(['get', 'deployments', '-n', 'old'], undefined, KUBECTL_127));
      assert.equal(table[0], 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE');
      assert.equal(ok(['get', 'configmap', 'settings', '-n', 'old', '-o', 'jsonpath={.data.mode}'], undefined, KUBECTL_127), 'production');
      assert.match(ok(['get', 'configmaps', '-n', 'old', '-o', 'name'], undefined, KUBECTL_127), /configmap\/settings/);
      assert.match(ok(['delete', 'configmap', 'settings', '-n', 'old', '--wait'], undefined, KUBECTL_127), /configmap "settings" deleted/);
      assert.match(ok(['delete', 'namespace', 'old', '--wait', '--timeout=90s'], undefined, KUBECTL_127), /namespace "old" deleted/);
      const r = k(['get', 'namespace', 'old'], undefined, KUBECTL_127);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /namespaces "old" not found/);
    });
  });
});
