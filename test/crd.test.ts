// End-to-end: a CustomResourceDefinition installed, used and removed with the real kubectl.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, kubectl, kubectlFails, kubectlOk, lines, removeDir, startServer, type KubectlResult, type RunningServer,
} from './support/server.ts';

const CRD_NAME = 'crontabs.stable.example.com';
const NS = 'crd-test';

const CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${CRD_NAME}
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Mode
      type: string
      jsonPath: .spec.mode
    - name: Image
      type: string
      priority: 1
      jsonPath: .spec.image
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec:
                type: string
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
              mode:
                type: string
                enum: [Fast, Slow]
          status:
            type: object
            properties:
              phase:
                type: string
`;

function cronTab(name: string, spec: Record<string, unknown> = {}): string {
  const full = { cronSpec: '*/5 * * * *', image: 'busybox:1.36', replicas: 2, mode: 'Fast', ...spec };
  return JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name, namespace: NS }, spec: full });
}

let server: RunningServer;

function k(args: string[], input?: string): KubectlResult {
  return kubectl(server, args, input !== undefined ? { input } : {});
}

const ok = (args: string[], input?: string) => kubectlOk(server, args, { input });
const fails = (args: string[], input?: string) => kubectlFails(server, args, { input });

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function discoveryRow(): string[] | undefined {
  const r = k(['api-resources', '--api-group=stable.example.com']);
  if (r.code !== 0) return undefined;
  return lines(r.stdout).find((l) => l.startsWith('crontabs '))?.split(/\s+/);
}

describe('CustomResourceDefinitions with kubectl', () => {
  before(async () => {
    server = await startServer();
    ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dir);
  });

  it('installs the CRD; kubectl get crd and discovery show it', async () => {
    assert.match(ok(['apply', '-f', '-'], CRD_YAML), new RegExp(`^customresourcedefinition.apiextensions.k8s.io/${CRD_NAME} created$`, 'm'));
    await eventually('kubectl get crd shows it', () => /^crontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT/m.test(k(['get', 'crd']).stdout));
    assert.match(ok(['get', 'crd']), /^NAME\s+CREATED AT$/m);
    await eventually('discovery serves crontabs', () => discoveryRow() !== undefined);
    assert.deepEqual(discoveryRow(), ['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab']);
    const groupVersion = await api(server, 'GET', '/apis/stable.example.com/v1');
    assert.equal(groupVersion.status, 200);
    const names = groupVersion.json.resources.map((r: any) => r.name).sort();
    assert.deepEqual(names, ['crontabs', 'crontabs/status']);
    // The finalizer that makes deleting the CRD delete its objects first.
    assert.match(ok(['get', 'crd', CRD_NAME, '-o', 'jsonpath={.metadata.finalizers}']), /customresourcecleanup\.apiextensions\.k8s\.io/);
    // Re-applying is a no-op.
    assert.match(ok(['apply', '-f', '-'], CRD_YAML), / unchanged$/m);
  });

  it('kubectl wait --for condition=established', () => {
    assert.match(ok(['wait', '--for', 'condition=established', `crd/${CRD_NAME}`, '--timeout=5s']), /condition met/);
    const status = JSON.parse(ok(['get', 'crd', CRD_NAME, '-o', 'jsonpath={.status}']));
    assert.equal(status.acceptedNames.kind, 'CronTab');
    assert.equal(status.acceptedNames.plural, 'crontabs');
  });

  it('applies a custom object', () => {
    assert.match(ok(['apply', '-f', '-'], cronTab('nightly')), /^crontab.stable.example.com\/nightly created$/m);
    assert.match(ok(['apply', '-f', '-'], cronTab('nightly')), /^crontab.stable.example.com\/nightly unchanged$/m);
    const obj = JSON.parse(ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'json']));
    assert.equal(obj.apiVersion, 'stable.example.com/v1');
    assert.equal(obj.kind, 'CronTab');
    assert.equal(obj.metadata.generation, 1);
    assert.deepEqual(obj.spec, { cronSpec: '*/5 * * * *', image: 'busybox:1.36', replicas: 2, mode: 'Fast' });
    assert.match(ok(['apply', '-f', '-'], cronTab('nightly', { image: 'busybox:1.37' })), /^crontab.stable.example.com\/nightly configured$/m);
    assert.equal(ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'jsonpath={.spec.image} {.metadata.generation}']), 'busybox:1.37 2');
  });

  it('kubectl get crontabs prints the additional printer columns', () => {
    ok(['apply', '-f', '-'], cronTab('hourly', { cronSpec: '0 * * * *', replicas: 7, mode: 'Slow' }));
    const out = lines(ok(['get', 'crontabs', '-n', NS]));
    assert.match(out[0]!, /^NAME\s+SPEC\s+REPLICAS\s+MODE\s+AGE$/);
    assert.match(out[1]!, /^hourly\s+0 \* \* \* \*\s+7\s+Slow\s+\d+s$/);
    assert.match(out[2]!, /^nightly\s+\*\/5 \* \* \* \*\s+2\s+Fast\s+\d+s$/);
    assert.equal(out.length, 3);
    // Priority 1 columns only with -o wide.
    const wide = lines(ok(['get', 'crontabs', '-n', NS, '-o', 'wide']));
    assert.match(wide[0]!, /^NAME\s+SPEC\s+REPLICAS\s+MODE\s+IMAGE\s+AGE$/);
    assert.match(wide[2]!, /^nightly\s+\*\/5 \* \* \* \*\s+2\s+Fast\s+busybox:1\.37\s+\d+s$/);
    // Every name for the resource works.
    for (const name of ['ct', 'crontab', 'crontabs', 'crontab.stable.example.com', 'crontabs.stable.example.com', 'crontabs.v1.stable.example.com']) {
      assert.deepEqual(lines(ok(['get', name, '-n', NS, '-o', 'name'])),
        ['crontab.stable.example.com/hourly', 'crontab.stable.example.com/nightly'], name);
    }
    assert.match(ok(['get', 'crontabs', '-A']), /^NAMESPACE\s+NAME\s+SPEC\s+REPLICAS\s+MODE\s+AGE\ncrd-test\s+hourly\s/);
    ok(['delete', 'crontab', 'hourly', '-n', NS]);
  });

  it('kubectl explain reads the CRD schema', () => {
    const out = ok(['explain', 'crontab.spec']);
    assert.match(out, /^KIND:\s+CronTab$/m);
    assert.match(out, /^GROUP:\s+stable\.example\.com$/m);
    assert.match(out, /^\s+replicas\s+<integer>$/m);
    assert.match(out, /^\s+mode\s+<string>$/m);
    assert.match(out, /^\s+enum: Fast, Slow$/m);
  });

  it('rejects invalid objects with the upstream Invalid message', () => {
    let err = fails(['apply', '-f', '-'], cronTab('bad', { replicas: 20 }));
    assert.match(err, /^The CronTab "bad" is invalid: spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10$/m);
    err = fails(['apply', '-f', '-'], cronTab('bad', { replicas: 0 }));
    assert.match(err, /spec\.replicas: Invalid value: 0: spec\.replicas in body should be greater than or equal to 1/);
    err = fails(['apply', '-f', '-'], cronTab('bad', { mode: 'Medium' }));
    assert.match(err, /^The CronTab "bad" is invalid: spec\.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"$/m);
    err = fails(['apply', '-f', '-'], cronTab('bad', { replicas: 'two' }));
    assert.match(err, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
    // Several errors are listed one per line.
    err = fails(['apply', '-f', '-'], cronTab('bad', { replicas: 20, mode: 'Medium' }));
    assert.match(err, /The CronTab "bad" is invalid: \n\* spec\.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"\n\* spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);
    assert.match(fails(['get', 'crontab', 'bad', '-n', NS]), /crontabs.stable.example.com "bad" not found/);
    // An update to an invalid value is rejected too and leaves the object alone.
    err = fails(['apply', '-f', '-'], cronTab('nightly', { image: 'busybox:1.37', replicas: 11 }));
    assert.match(err, /The CronTab "nightly" is invalid: spec\.replicas: Invalid value: 11: spec\.replicas in body should be less than or equal to 10/);
    assert.equal(ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'jsonpath={.spec.replicas}']), '2');
  });

  it('rejects unknown fields with strict validation, prunes them otherwise', () => {
    const withUnknown = JSON.parse(cronTab('extra'));
    withUnknown.spec.replicaz = 3;
    let err = fails(['apply', '-f', '-'], JSON.stringify(withUnknown));
    assert.match(err, /CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec\.replicaz"/);
    withUnknown.metadata.name = 'nightly';
    err = fails(['apply', '-f', '-'], JSON.stringify(withUnknown));
    assert.match(err, /strict decoding error: unknown field "spec\.replicaz"/);
    // --validate=warn: created with a warning, the field pruned.
    withUnknown.metadata.name = 'extra';
    const r = k(['apply', '--validate=warn', '-f', '-'], JSON.stringify(withUnknown));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: unknown field "spec\.replicaz"$/m);
    // --validate=false: silently pruned.
    withUnknown.metadata.name = 'extra2';
    ok(['apply', '--validate=false', '-f', '-'], JSON.stringify(withUnknown));
    for (const name of ['extra', 'extra2']) {
      const spec = JSON.parse(ok(['get', 'crontab', name, '-n', NS, '-o', 'jsonpath={.spec}']));
      assert.equal(spec.replicaz, undefined);
      assert.equal(spec.replicas, 2);
      ok(['delete', 'crontab', name, '-n', NS]);
    }
  });

  it('kubectl patch --type=merge and --type=json; strategic is unsupported', () => {
    assert.match(ok(['patch', 'crontab', 'nightly', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":5}}']), /crontab.stable.example.com\/nightly patched/);
    assert.equal(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '5 3');
    ok(['patch', 'crontab', 'nightly', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/mode","value":"Slow"}]']);
    assert.equal(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.spec.mode}']), 'Slow');
    // Patches are validated like any write.
    assert.match(fails(['patch', 'crontab', 'nightly', '-n', NS, '--type=merge', '-p', '{"spec":{"mode":"Turbo"}}']),
      /spec\.mode: Unsupported value: "Turbo": supported values: "Fast", "Slow"/);
    assert.match(fails(['patch', 'crontab', 'nightly', '-n', NS, '--type=strategic', '-p', '{"spec":{"replicas":6}}']),
      /application\/strategic-merge-patch\+json is not supported by stable.example.com\/v1, Kind=CronTab/);
    // Labels work through kubectl label.
    ok(['label', 'crontab', 'nightly', '-n', NS, 'team=infra']);
    assert.deepEqual(lines(ok(['get', 'ct', '-n', NS, '-l', 'team=infra', '-o', 'name'])), ['crontab.stable.example.com/nightly']);
  });

  it('the status subresource: main writes ignore status, status writes ignore spec', () => {
    // Status on create is dropped.
    const withStatus = JSON.parse(cronTab('statusful'));
    withStatus.status = { phase: 'Preset' };
    ok(['apply', '-f', '-'], JSON.stringify(withStatus));
    assert.equal(ok(['get', 'ct', 'statusful', '-n', NS, '-o', 'jsonpath={.status}']), '');
    // Status in a main-resource patch is ignored.
    assert.match(ok(['patch', 'ct', 'nightly', '-n', NS, '--type=merge', '-p', '{"status":{"phase":"Running"}}']), /patched \(no change\)/);
    assert.equal(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.status}']), '');
    const generation = Number(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.metadata.generation}']));
    // Through the subresource: status is written, spec changes are dropped, generation stays.
    ok(['patch', 'ct', 'nightly', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"},"spec":{"replicas":9}}']);
    assert.equal(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.status.phase} {.spec.replicas} {.metadata.generation}']), `Running 5 ${generation}`);
    // A full update (kubectl replace) of the main resource keeps the stored status.
    const obj = JSON.parse(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'json']));
    obj.status = { phase: 'Replaced' };
    obj.spec.image = 'alpine:3.20';
    assert.match(ok(['replace', '-f', '-'], JSON.stringify(obj)), /crontab.stable.example.com\/nightly replaced/);
    assert.equal(ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'jsonpath={.status.phase} {.spec.image} {.metadata.generation}']),
      `Running alpine:3.20 ${generation + 1}`);
    ok(['delete', 'ct', 'statusful', '-n', NS]);
  });

  it('kubectl delete crontab', () => {
    ok(['apply', '-f', '-'], cronTab('short-lived'));
    assert.match(ok(['delete', 'crontab', 'short-lived', '-n', NS, '--wait']), /crontab.stable.example.com "short-lived" deleted/);
    assert.match(fails(['get', 'crontab', 'short-lived', '-n', NS]), /NotFound.*crontabs.stable.example.com "short-lived" not found/);
    assert.deepEqual(lines(ok(['get', 'crontabs', '-n', NS, '-o', 'name'])), ['crontab.stable.example.com/nightly']);
  });

  it('deleting the CRD deletes its objects and removes the resource from discovery', async () => {
    ok(['apply', '-f', '-'], cronTab('leftover'));
    assert.equal(lines(ok(['get', 'crontabs', '-n', NS, '-o', 'name'])).length, 2);
    assert.match(ok(['delete', 'crd', CRD_NAME, '--wait', '--timeout=60s']), new RegExp(`customresourcedefinition.apiextensions.k8s.io "${CRD_NAME}" deleted`));
    assert.match(fails(['get', 'crd', CRD_NAME]), /NotFound/);
    await eventually('discovery drops crontabs', () => discoveryRow() === undefined);
    assert.equal((await api(server, 'GET', '/apis/stable.example.com/v1')).status, 404);
    const groups = await api(server, 'GET', '/apis');
    assert.ok(!groups.json.groups.some((g: any) => g.name === 'stable.example.com'), 'group gone from /apis');
    assert.match(fails(['get', 'crontabs', '-n', NS]), /the server doesn't have a resource type "crontabs"|the server could not find the requested resource/);
    // Installing the CRD again finds no old objects.
    ok(['apply', '-f', '-'], CRD_YAML);
    await eventually('discovery serves crontabs again', () => discoveryRow() !== undefined);
    assert.equal(ok(['get', 'crontabs', '-A', '-o', 'name']), '');
    ok(['delete', 'crd', CRD_NAME, '--wait', '--timeout=60s']);
  });
});
