// A local member cluster (`canopy member NAME`) driven by the real kubectl: its kubeconfig, and the
// workload simulation that reports Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  kubectl, kubectlFails, kubectlOk, lines, removeDir, startServer, type RunningServer,
} from './support/server.ts';

const NAME = 'member-1';

async function eventually(what: string, probe: () => string, expected: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = probe();
    if (last === expected) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: got ${JSON.stringify(last)}, want ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function template(app: string, extra = ''): string {
  return `  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
${extra}      containers:
      - name: main
        image: nginx:1.27
`;
}

function deploymentYaml(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
${template(name)}`;
}

/** The READY column of `kubectl get KIND NAME`. */
function ready(server: RunningServer, kind: string, name: string): string {
  const out = kubectl(server, ['get', kind, name, '--no-headers']);
  return out.code === 0 ? (out.stdout.trim().split(/\s+/)[1] ?? '') : out.stderr.trim();
}

describe('canopy member', () => {
  let member: RunningServer;
  let quiet: RunningServer;

  before(async () => {
    [member, quiet] = await Promise.all([
      startServer({ command: 'member', name: NAME }),
      startServer({ command: 'member', name: 'quiet', args: ['--no-simulate-workloads'] }),
    ]);
  });
  after(async () => {
    await Promise.all([member?.stop(), quiet?.stop()]);
    if (member) removeDir(member.dir);
    if (quiet) removeDir(quiet.dir);
  });

  it('writes a kubeconfig whose current context is the member name', () => {
    assert.equal(kubectlOk(member, ['config', 'current-context']).trim(), NAME);
    assert.deepEqual(lines(kubectlOk(member, ['config', 'get-contexts', '-o', 'name'])), [NAME]);
    assert.match(kubectlOk(member, ['get', 'namespaces', '-o', 'name']), /namespace\/default/);
  });

  it('serves get, apply and delete like the control plane', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';
    assert.match(kubectlOk(member, ['apply', '-f', '-'], { input: cm }), /configmap\/settings created/);
    assert.match(kubectlOk(member, ['apply', '-f', '-'], { input: cm }), /configmap\/settings unchanged/);
    assert.equal(kubectlOk(member, ['get', 'configmap', 'settings', '-o', 'jsonpath={.data.a}']), '1');
    assert.match(kubectlOk(member, ['delete', 'configmap', 'settings']), /configmap "settings" deleted/);
    assert.match(kubectlFails(member, ['get', 'configmap', 'settings']), /NotFound|not found/);
  });

  it('reports a Deployment ready, rolled out and scaled', async () => {
    kubectlOk(member, ['apply', '-f', '-'], { input: deploymentYaml('web', 2) });
    await eventually('web 2/2', () => ready(member, 'deployment', 'web'), '2/2');
    kubectlOk(member, ['rollout', 'status', 'deployment/web', '--timeout=20s']);
    const status = JSON.parse(kubectlOk(member, ['get', 'deployment', 'web', '-o', 'json'])).status;
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.replicas, 2);
    assert.equal(status.updatedReplicas, 2);
    assert.equal(status.readyReplicas, 2);
    assert.equal(status.availableReplicas, 2);
    const [available, progressing] = status.conditions;
    assert.deepEqual([available.type, available.status, available.reason, available.message],
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    assert.deepEqual([progressing.type, progressing.status, progressing.reason], ['Progressing', 'True', 'NewReplicaSetAvailable']);
    assert.match(progressing.message, /^ReplicaSet "web-[bcdfghjklmnpqrstvwxz2456789]+" has successfully progressed\.$/);

    kubectlOk(member, ['scale', 'deployment/web', '--replicas=3']);
    await eventually('web 3/3', () => ready(member, 'deployment', 'web'), '3/3');
    kubectlOk(member, ['rollout', 'status', 'deployment/web', '--timeout=20s']);

    kubectlOk(member, ['set', 'image', 'deployment/web', 'main=nginx:1.28']);
    kubectlOk(member, ['rollout', 'status', 'deployment/web', '--timeout=20s']);
    const after = JSON.parse(kubectlOk(member, ['get', 'deployment', 'web', '-o', 'json']));
    assert.equal(after.status.observedGeneration, after.metadata.generation);
    assert.notEqual(after.status.conditions[1].message, progressing.message, 'a new template has a new ReplicaSet name');
    assert.equal(after.status.conditions[0].lastTransitionTime, available.lastTransitionTime);
  });

  it('reports a StatefulSet, a DaemonSet and a ReplicaSet ready', async () => {
    kubectlOk(member, ['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  serviceName: db
${template('db')}---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
${template('agent')}---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  replicas: 2
${template('rs')}`,
    });
    await eventually('db 2/2', () => ready(member, 'statefulset', 'db'), '2/2');
    kubectlOk(member, ['rollout', 'status', 'statefulset/db', '--timeout=20s']);
    kubectlOk(member, ['rollout', 'status', 'daemonset/agent', '--timeout=20s']);
    assert.deepEqual(kubectlOk(member, ['get', 'daemonset', 'agent', '--no-headers']).trim().split(/\s+/).slice(1, 6),
      ['1', '1', '1', '1', '1']);
    await eventually('rs ready', () => kubectlOk(member, ['get', 'replicaset', 'rs', '-o', 'jsonpath={.status.readyReplicas}']), '2');

    const sts = JSON.parse(kubectlOk(member, ['get', 'statefulset', 'db', '-o', 'json'])).status;
    assert.equal(sts.currentReplicas, 2);
    assert.equal(sts.updatedReplicas, 2);
    assert.equal(sts.availableReplicas, 2);
    assert.equal(sts.observedGeneration, 1);
    assert.match(sts.currentRevision, /^db-\w+$/);
    assert.equal(sts.updateRevision, sts.currentRevision);
    const rs = JSON.parse(kubectlOk(member, ['get', 'replicaset', 'rs', '-o', 'json'])).status;
    assert.deepEqual(rs, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
  });

  it('completes a Job', () => {
    kubectlOk(member, ['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
`,
    });
    kubectlOk(member, ['wait', '--for=condition=complete', 'job/once', '--timeout=20s']);
    const status = JSON.parse(kubectlOk(member, ['get', 'job', 'once', '-o', 'json'])).status;
    assert.equal(status.succeeded, 2);
    assert.equal(status.ready, 0);
    assert.ok(status.startTime && status.completionTime);
    assert.deepEqual(status.conditions.map((c: any) => [c.type, c.status, c.reason]),
      [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
    assert.match(kubectlOk(member, ['get', 'job', 'once', '--no-headers']), /^once\s+Complete\s+2\/2/);
  });

  it('writes nothing more once settled, also after a restart', async () => {
    const versions = () => kubectlOk(member, ['get', 'deployments,statefulsets,daemonsets,replicasets,jobs',
      '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}']);
    const before = versions();
    await sleep(1500);
    assert.equal(versions(), before);
    const dir = member.dir;
    await member.stop();
    member = await startServer({ command: 'member', name: NAME, dir });
    await sleep(1500);
    assert.equal(versions(), before);
    assert.equal(ready(member, 'deployment', 'web'), '3/3');
  });

  it('reports nothing with --no-simulate-workloads', async () => {
    assert.equal(kubectlOk(quiet, ['config', 'current-context']).trim(), 'quiet');
    kubectlOk(quiet, ['apply', '-f', '-'], { input: deploymentYaml('web', 2) });
    await sleep(1500);
    assert.equal(ready(quiet, 'deployment', 'web'), '0/2');
    assert.equal(kubectlOk(quiet, ['get', 'deployment', 'web', '-o', 'jsonpath={.status}']), '{}');
    assert.match(kubectlOk(quiet, ['delete', 'deployment', 'web']), /deleted/);
  });
});
