// The Karmada policy and work kinds a control plane serves as CRDs, exercised with the real kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlFails, kubectlOk, removeDir, startServer, type RunningServer } from './support/server.ts';

const NS = 'default';

const NGINX_PP = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  placement:
    clusterAffinity:
      clusterNames:
        - member1
        - member2
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - targetCluster:
              clusterNames:
                - member1
            weight: 1
          - targetCluster:
              clusterNames:
                - member2
            weight: 1
`;

const CPP = `apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata:
  name: crd-propagation
spec:
  priority: 10
  preemption: Always
  conflictResolution: Overwrite
  propagateDeps: true
  resourceSelectors:
    - apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      name: demos.example.com
  placement:
    clusterAffinities:
      - affinityName: primary
        clusterNames: [member1]
      - affinityName: backup
        fieldSelector:
          matchExpressions:
            - key: region
              operator: In
              values: [eu-west-1]
    clusterTolerations:
      - key: maintenance
        operator: Exists
        effect: NoSchedule
    spreadConstraints:
      - spreadByField: cluster
        minGroups: 1
      - spreadByField: region
        maxGroups: 2
        minGroups: 1
    replicaScheduling:
      replicaSchedulingType: Duplicated
  failover:
    application:
      decisionConditions: {}
      purgeMode: Never
  suspension:
    dispatchingOnClusters:
      clusterNames: [member2]
  preserveResourcesOnDeletion: true
`;

const OP = `apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: nginx-override
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  overrideRules:
    - targetCluster:
        clusterNames:
          - member1
      overriders:
        imageOverrider:
          - component: Registry
            operator: replace
            value: registry.example.com
        plaintext:
          - path: /metadata/annotations
            operator: add
            value:
              owner: team-a
              replicas: 3
          - path: /spec/replicas
            operator: replace
            value: 2
        labelsOverrider:
          - operator: add
            value:
              env: prod
        commandOverrider:
          - containerName: nginx
            operator: add
            value: [--verbose]
        fieldOverrider:
          - fieldPath: /data/config.yaml
            yaml:
              - subPath: /server/port
                operator: replace
                value: 8080
`;

const COP = `apiVersion: policy.karmada.io/v1alpha1
kind: ClusterOverridePolicy
metadata:
  name: all-override
spec:
  resourceSelectors:
    - apiVersion: v1
      kind: Namespace
  overrideRules:
    - overriders:
        annotationsOverrider:
          - operator: remove
            value:
              legacy: ""
`;

const WORK = `apiVersion: work.karmada.io/v1alpha1
kind: Work
metadata:
  name: nginx-687f7fb96f
  namespace: fed-works
spec:
  workload:
    manifests:
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx
          namespace: default
          labels:
            app: nginx
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
                - name: nginx
                  image: nginx:1.27
`;

const RB = `apiVersion: work.karmada.io/v1alpha2
kind: ResourceBinding
metadata:
  name: nginx-deployment
spec:
  resource:
    apiVersion: apps/v1
    kind: Deployment
    namespace: default
    name: nginx
    uid: 5b4c2f9e-0000-4000-8000-000000000001
    resourceVersion: "1234"
  replicas: 2
  replicaRequirements:
    resourceRequest:
      cpu: 100m
      memory: 64Mi
  clusters:
    - name: member1
      replicas: 1
    - name: member2
      replicas: 1
  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas
  schedulerName: default-scheduler
  propagateDeps: true
  requiredBy:
    - namespace: default
      name: other-binding
      clusters: [{name: member1}]
  gracefulEvictionTasks:
    - fromCluster: member3
      reason: TaintUntolerated
      producer: taint-manager
  rescheduleTriggeredAt: "2024-05-01T10:00:00Z"
`;

const CRB = `apiVersion: work.karmada.io/v1alpha2
kind: ClusterResourceBinding
metadata:
  name: demo-crd
spec:
  resource:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    name: demos.example.com
  clusters:
    - name: member1
`;

describe('federation CRDs: policy.karmada.io and work.karmada.io', () => {
  let cp: RunningServer;
  const ok = (args: string[], input?: string) => kubectlOk(cp, args, input === undefined ? {} : { input });
  const fails = (args: string[], input?: string) => kubectlFails(cp, args, input === undefined ? {} : { input });
  const json = (args: string[]) => JSON.parse(ok([...args, '-o', 'json']));

  before(async () => {
    cp = await startServer();
    ok(['create', 'namespace', 'fed-works'], undefined);
  });
  after(async () => {
    await cp.stop();
    removeDir(cp.dir);
  });

  it('kubectl api-resources lists every kind with its short name and scope', () => {
    const expected: [string, string, string, boolean, string][] = [
      ['propagationpolicies', 'pp', 'policy.karmada.io/v1alpha1', true, 'PropagationPolicy'],
      ['clusterpropagationpolicies', 'cpp', 'policy.karmada.io/v1alpha1', false, 'ClusterPropagationPolicy'],
      ['overridepolicies', 'op', 'policy.karmada.io/v1alpha1', true, 'OverridePolicy'],
      ['clusteroverridepolicies', 'cop', 'policy.karmada.io/v1alpha1', false, 'ClusterOverridePolicy'],
      ['works', 'wk', 'work.karmada.io/v1alpha1', true, 'Work'],
      ['resourcebindings', 'rb', 'work.karmada.io/v1alpha2', true, 'ResourceBinding'],
      ['clusterresourcebindings', 'crb', 'work.karmada.io/v1alpha2', false, 'ClusterResourceBinding'],
    ];
    const out = ok(['api-resources', '--api-group=policy.karmada.io']) + ok(['api-resources', '--api-group=work.karmada.io']);
    for (const [plural, short, gv, namespaced, kind] of expected) {
      assert.match(out, new RegExp(`^${plural}\\s+${short}\\s+${gv.replace(/\./g, '\\.')}\\s+${namespaced}\\s+${kind}$`, 'm'), out);
    }
    // All of them are in the karmada-io category.
    const names = ok(['api-resources', '--categories=karmada-io', '-o', 'name']);
    for (const [plural, , gv] of expected) assert.match(names, new RegExp(`^${plural}\\.${gv.split('/')[0]!.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('applies the Karmada docs nginx PropagationPolicy and fills in the defaults', () => {
    assert.match(ok(['apply', '-n', NS, '-f', '-'], NGINX_PP), /propagationpolicy.policy.karmada.io\/nginx-propagation created/);
    const pp = json(['get', 'pp', 'nginx-propagation', '-n', NS]);
    assert.equal(pp.spec.priority, 0);
    assert.equal(pp.spec.preemption, 'Never');
    assert.equal(pp.spec.conflictResolution, 'Abort');
    assert.equal(pp.spec.schedulerName, 'default-scheduler');
    assert.deepEqual(pp.spec.placement.clusterAffinity.clusterNames, ['member1', 'member2']);
    assert.deepEqual(pp.spec.placement.replicaScheduling, {
      replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted',
      weightPreference: { staticWeightList: [
        { targetCluster: { clusterNames: ['member1'] }, weight: 1 },
        { targetCluster: { clusterNames: ['member2'] }, weight: 1 },
      ] },
    });
    assert.equal(pp.spec.failover, undefined, 'no defaults inside absent objects');
  });

  it('applies a ClusterPropagationPolicy using the rest of the placement and keeps explicit values', () => {
    ok(['apply', '-f', '-'], CPP);
    const cpp = json(['get', 'cpp', 'crd-propagation']);
    assert.equal(cpp.metadata.namespace, undefined);
    assert.equal(cpp.spec.priority, 10);
    assert.equal(cpp.spec.preemption, 'Always');
    assert.equal(cpp.spec.conflictResolution, 'Overwrite');
    assert.equal(cpp.spec.placement.clusterAffinities[1].fieldSelector.matchExpressions[0].key, 'region');
    assert.deepEqual(cpp.spec.failover.application, { decisionConditions: { tolerationSeconds: 300 }, purgeMode: 'Never' });
    assert.deepEqual(cpp.spec.suspension, { dispatchingOnClusters: { clusterNames: ['member2'] } });
    assert.equal(cpp.spec.preserveResourcesOnDeletion, true);
    // A replicaScheduling without a type gets upstream's default, Divided.
    ok(['patch', 'cpp', 'crd-propagation', '--type=merge', '-p', '{"spec":{"placement":{"replicaScheduling":{"replicaSchedulingType":null}}}}']);
    assert.equal(ok(['get', 'cpp', 'crd-propagation', '-o', 'jsonpath={.spec.placement.replicaScheduling.replicaSchedulingType}']), 'Divided');
  });

  it('applies override policies; plaintext and field-overrider values are kept as written', () => {
    ok(['apply', '-n', NS, '-f', '-'], OP);
    const op = json(['get', 'op', 'nginx-override', '-n', NS]);
    const o = op.spec.overrideRules[0].overriders;
    assert.deepEqual(o.imageOverrider, [{ component: 'Registry', operator: 'replace', value: 'registry.example.com' }]);
    assert.deepEqual(o.plaintext[0].value, { owner: 'team-a', replicas: 3 });
    assert.equal(o.plaintext[1].value, 2);
    assert.deepEqual(o.labelsOverrider, [{ operator: 'add', value: { env: 'prod' } }]);
    assert.deepEqual(o.commandOverrider, [{ containerName: 'nginx', operator: 'add', value: ['--verbose'] }]);
    assert.equal(o.fieldOverrider[0].yaml[0].value, 8080);
    ok(['apply', '-f', '-'], COP);
    assert.equal(ok(['get', 'cop', 'all-override', '-o', 'jsonpath={.spec.overrideRules[0].overriders.annotationsOverrider[0].operator}']), 'remove');
  });

  it('applies a Work with a Deployment manifest, kept whole', () => {
    ok(['apply', '-f', '-'], WORK);
    const work = json(['get', 'work', 'nginx-687f7fb96f', '-n', 'fed-works']);
    const manifest = work.spec.workload.manifests[0];
    assert.equal(manifest.kind, 'Deployment');
    assert.deepEqual(manifest.metadata, { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } });
    assert.equal(manifest.spec.template.spec.containers[0].image, 'nginx:1.27');
    // (An execution namespace would be karmada-es-<cluster>; a plain namespace keeps this test away from the controllers that own those.)
    // A manifest must be a complete object: apiVersion and kind are required.
    const noKind = WORK.replace('name: nginx-687f7fb96f', 'name: broken').replace('        kind: Deployment\n', '');
    assert.match(fails(['apply', '-f', '-'], noKind), /The Work "broken" is invalid: spec\.workload\.manifests\[0\]\.kind: Required value/);
  });

  it('applies bindings, and their status through the status subresource', async () => {
    ok(['apply', '-n', NS, '-f', '-'], RB);
    ok(['apply', '-f', '-'], CRB);
    const rb = json(['get', 'rb', 'nginx-deployment', '-n', NS]);
    assert.equal(rb.spec.conflictResolution, 'Abort');
    assert.deepEqual(rb.spec.replicaRequirements.resourceRequest, { cpu: '100m', memory: '64Mi' });
    assert.equal(rb.spec.clusters.length, 2);
    assert.equal(rb.spec.gracefulEvictionTasks[0].producer, 'taint-manager');
    assert.equal(json(['get', 'crb', 'demo-crd']).spec.resource.name, 'demos.example.com');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      status: {
        schedulerObservedGeneration: rb.metadata.generation, lastScheduledTime: now,
        conditions: [
          { type: 'Scheduled', status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.', lastTransitionTime: now },
          { type: 'FullyApplied', status: 'False', reason: 'NotApplied', message: 'not yet', lastTransitionTime: now },
        ],
        aggregatedStatus: [{ clusterName: 'member1', applied: true, health: 'Healthy', status: { readyReplicas: 1 } }],
      },
    };
    ok(['patch', 'rb', 'nginx-deployment', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    const after = json(['get', 'rb', 'nginx-deployment', '-n', NS]);
    assert.deepEqual(after.status.aggregatedStatus[0].status, { readyReplicas: 1 });
    assert.equal(after.metadata.generation, rb.metadata.generation, 'a status write does not bump the generation');
    // Status is ignored on the main resource.
    const spec = JSON.parse(JSON.stringify(after));
    spec.status.conditions = [];
    ok(['replace', '-f', '-'], JSON.stringify(spec));
    assert.equal(json(['get', 'rb', 'nginx-deployment', '-n', NS]).status.conditions.length, 2);
    // Status values are validated too.
    const bad = { status: { aggregatedStatus: [{ clusterName: 'member1', health: 'Fine' }] } };
    assert.match(fails(['patch', 'rb', 'nginx-deployment', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify(bad)]),
      /status\.aggregatedStatus\[0\]\.health: Unsupported value: "Fine": supported values: "Healthy", "Unhealthy", "Unknown"/);
    const workStatus = { status: { conditions: [{ type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message: 'ok', lastTransitionTime: now }],
      manifestStatuses: [{ identifier: { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'nginx' },
        status: { replicas: 1, availableReplicas: 1 }, health: 'Healthy' }] } };
    ok(['patch', 'work', 'nginx-687f7fb96f', '-n', 'fed-works', '--subresource=status', '--type=merge', '-p', JSON.stringify(workStatus)]);
    assert.deepEqual(json(['get', 'work', 'nginx-687f7fb96f', '-n', 'fed-works']).status.manifestStatuses[0].status, { replicas: 1, availableReplicas: 1 });
  });

  it('rejects invalid enums with the upstream Invalid message', () => {
    const bad = (from: string, to: string) => NGINX_PP.replace('name: nginx-propagation', 'name: bad').replace(from, to);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], bad('spec:\n', 'spec:\n  preemption: Sometimes\n')),
      /^The PropagationPolicy "bad" is invalid: spec\.preemption: Unsupported value: "Sometimes": supported values: "Always", "Never"$/m);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], bad('replicaSchedulingType: Divided', 'replicaSchedulingType: Split')),
      /^The PropagationPolicy "bad" is invalid: spec\.placement\.replicaScheduling\.replicaSchedulingType: Unsupported value: "Split": supported values: "Duplicated", "Divided"$/m);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], bad('spec:\n', 'spec:\n  conflictResolution: Merge\n')),
      /spec\.conflictResolution: Unsupported value: "Merge": supported values: "Abort", "Overwrite"/);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], OP.replace('name: nginx-override', 'name: bad').replace('operator: replace\n            value: registry', 'operator: swap\n            value: registry')),
      /^The OverridePolicy "bad" is invalid: spec\.overrideRules\[0\]\.overriders\.imageOverrider\[0\]\.operator: Unsupported value: "swap": supported values: "add", "remove", "replace"$/m);
    // Required fields and bounds, as upstream.
    assert.match(fails(['apply', '-n', NS, '-f', '-'], bad('      kind: Deployment\n', '')),
      /spec\.resourceSelectors\[0\]\.kind: Required value/);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], bad('weight: 1', 'weight: 0')),
      /spec\.placement\.replicaScheduling\.weightPreference\.staticWeightList\[0\]\.weight: Invalid value: 0: .* should be greater than or equal to 1/);
    assert.match(fails(['apply', '-n', NS, '-f', '-'], NGINX_PP.replace('name: nginx-propagation', 'name: bad').replace(/resourceSelectors:\n(.*\n){3}/, 'resourceSelectors: []\n')),
      /spec\.resourceSelectors: Invalid value: 0: spec\.resourceSelectors in body should have at least 1 items/);
    assert.match(fails(['get', 'pp', 'bad', '-n', NS]), /"bad" not found/);
  });

  it('rejects unknown fields with strict validation', () => {
    const err = fails(['apply', '-n', NS, '-f', '-'],
      NGINX_PP.replace('name: nginx-propagation', 'name: bad').replace('clusterAffinity:', 'clusterAfinity:'));
    assert.match(err, /PropagationPolicy in version "v1alpha1" cannot be handled as a PropagationPolicy: strict decoding error: unknown field "spec\.placement\.clusterAfinity"/);
    const err2 = fails(['apply', '-n', NS, '-f', '-'], RB.replace('name: nginx-deployment', 'name: bad').replace('  replicas: 2\n', '  replicaz: 2\n'));
    assert.match(err2, /strict decoding error: unknown field "spec\.replicaz"/);
    // Inside a Work manifest and a plaintext value anything goes.
    ok(['apply', '--dry-run=server', '-f', '-'], WORK.replace('replicas: 1', 'replicas: 1\n          someFutureField: true'));
  });

  it('kubectl get prints the printer columns of every kind', () => {
    const out = ok(['get', 'pp,cpp,op,cop,work,rb,crb', '-A']);
    assert.match(out, /^NAMESPACE\s+NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE\n/m);
    assert.match(out, /^default\s+propagationpolicy\.policy\.karmada\.io\/nginx-propagation\s+Abort\s+0\s+\S+$/m);
    // With -A, kubectl keeps the NAMESPACE column (empty) for the cluster-scoped kinds.
    assert.match(out, /^\s+clusterpropagationpolicy\.policy\.karmada\.io\/crd-propagation\s+Overwrite\s+10\s+\S+$/m);
    assert.match(out, /^default\s+overridepolicy\.policy\.karmada\.io\/nginx-override\s+\S+$/m);
    assert.match(out, /^\s+clusteroverridepolicy\.policy\.karmada\.io\/all-override\s+\S+$/m);
    assert.match(out, /^NAMESPACE\s+NAME\s+WORKLOAD-KIND\s+APPLIED\s+AGE\n/m);
    assert.match(out, /^fed-works\s+work\.work\.karmada\.io\/nginx-687f7fb96f\s+Deployment\s+True\s+\S+$/m);
    assert.match(out, /^NAMESPACE\s+NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE\n/m);
    // The scheduler has its say on these hand-made bindings (no clusters here): only the shape is checked.
    assert.match(out, /^default\s+resourcebinding\.work\.karmada\.io\/nginx-deployment\s+(True|False)\s+(True|False)\s+\S+$/m);
    assert.match(out, /^\s+clusterresourcebinding\.work\.karmada\.io\/demo-crd(\s+(True|False)){0,2}\s+\S+$/m);
    assert.match(ok(['get', 'cpp']), /^NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE\ncrd-propagation\s+Overwrite\s+10\s+/);
    assert.match(ok(['get', 'crb']), /^NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE\ndemo-crd\s+/);
    assert.match(ok(['get', 'pp', '-n', NS]), /^NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE\nnginx-propagation\s+Abort\s+0\s+/);
  });

  it('kubectl explain reads the schemas', () => {
    const out = ok(['explain', 'propagationpolicy.spec.placement']);
    assert.match(out, /^KIND:\s+PropagationPolicy$/m);
    assert.match(out, /^GROUP:\s+policy\.karmada\.io$/m);
    for (const field of ['clusterAffinities', 'clusterAffinity', 'clusterTolerations', 'replicaScheduling', 'spreadConstraints']) {
      assert.match(out, new RegExp(`^\\s+${field}\\s+<`, 'm'), out);
    }
    const rs = ok(['explain', 'pp.spec.placement.replicaScheduling']);
    assert.match(rs, /^\s+enum: Duplicated, Divided$/m);
    assert.match(ok(['explain', 'rb.spec.resource']), /^\s+apiVersion\s+<string> -required-$/m);
    assert.match(ok(['explain', 'work.spec.workload']), /^\s+manifests\s+<\[\]Object>$/m);
  });

  it('deletes cleanly', () => {
    ok(['delete', 'pp', 'nginx-propagation', '-n', NS]);
    ok(['delete', 'cpp', 'crd-propagation']);
    ok(['delete', 'op', 'nginx-override', '-n', NS]);
    ok(['delete', 'cop', 'all-override']);
    ok(['delete', 'wk', 'nginx-687f7fb96f', '-n', 'fed-works']);
    ok(['delete', 'rb', 'nginx-deployment', '-n', NS]);
    ok(['delete', 'crb', 'demo-crd']);
    assert.match(kubectl(cp, ['get', 'pp,cpp,op,cop,work,rb,crb', '-A']).stderr, /No resources found/);
  });
});
