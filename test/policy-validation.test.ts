// Karmada's validating webhooks for the policy.karmada.io policies, as the real kubectl meets them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlOk, removeDir, startServer, type RunningServer } from './support/server.ts';

const PP = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
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
    spreadConstraints:
      - spreadByField: region
        maxGroups: 1
      - spreadByField: cluster
        maxGroups: 2
        minGroups: 1
`;

const OP = `apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: web
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
  overrideRules:
    - targetCluster:
        clusterNames: [member1]
      overriders:
        plaintext:
          - path: /spec/replicas
            operator: replace
            value: 2
        labelsOverrider:
          - operator: add
            value:
              app.kubernetes.io/part-of: shop
        fieldOverrider:
          - fieldPath: /data/config.json
            json:
              - subPath: /port
                operator: replace
                value: 8080
`;

describe('policy.karmada.io validation (upstream webhooks)', () => {
  let cp: RunningServer;

  before(async () => {
    cp = await startServer();
  });
  after(async () => {
    await cp.stop();
    removeDir(cp.dir);
  });

  /**
   * Applies a manifest that must be refused (kubectl exits 1) with these lines of error output, where `…` stands for
   * any text (printed invalid values).
   */
  function refused(manifest: string, ...expected: string[]): void {
    const r = kubectl(cp, ['apply', '-f', '-'], { input: manifest });
    assert.equal(r.code, 1, `kubectl apply should fail:\n${r.stdout}${r.stderr}`);
    for (const line of expected) {
      const pattern = line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
      assert.match(r.stderr, new RegExp(`^${pattern}$`, 'm'));
    }
  }

  const edit = (manifest: string, name: string, from: string | RegExp, to: string) =>
    manifest.replace(/name: web\n {2}namespace/, `name: ${name}\n  namespace`).replace(from, to);

  it('accepts valid policies', () => {
    assert.match(kubectlOk(cp, ['apply', '-f', '-'], { input: PP }), /propagationpolicy\.policy\.karmada\.io\/web created/);
    assert.match(kubectlOk(cp, ['apply', '-f', '-'], { input: OP }), /overridepolicy\.policy\.karmada\.io\/web created/);
  });

  it('refuses clusterAffinity together with clusterAffinities', () => {
    refused(edit(PP, 'both', '  placement:\n', '  placement:\n    clusterAffinity:\n      clusterNames: [member2]\n'),
      'The PropagationPolicy "both" is invalid: spec.placement: Invalid value: …: clusterAffinities cannot co-exist with clusterAffinity');
  });

  it('refuses duplicate affinity names and reports every error at once, kubectl listing them one a line', () => {
    refused(edit(PP, 'dup', 'affinityName: backup', 'affinityName: primary').replace('key: region', 'key: country'),
      'The PropagationPolicy "dup" is invalid: ',
      '* spec.placement.clusterAffinities: Invalid value: …: each affinity term in a policy must have a unique name',
      '* spec.placement.clusterAffinities[1].fieldSelector: Invalid value: …: unsupported key "country", must be provider, region, or zone');
  });

  it('refuses spread constraints by field without the cluster one', () => {
    refused(edit(PP, 'spread', /      - spreadByField: cluster\n.*\n.*\n/, ''),
      'The PropagationPolicy "spread" is invalid: spec.placement.spreadConstraints: Invalid value: …: '
        + 'the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled');
  });

  it('refuses selectors without a name when preemption is Always, and selectors of another namespace', () => {
    refused(edit(PP, 'preempt', 'spec:\n', 'spec:\n  preemption: Always\n').replace('      name: web\n', ''),
      'The PropagationPolicy "preempt" is invalid: spec.resourceSelectors[0].name: Invalid value: "": '
        + 'name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption');
    refused(edit(PP, 'elsewhere', '      name: web\n', '      name: web\n      namespace: kube-system\n'),
      'The PropagationPolicy "elsewhere" is invalid: spec.resourceSelectors[0].namespace: Invalid value: "kube-system": '
        + 'namespace of resource selector must be equal to the namespace of the policy');
  });

  it('checks a ClusterPropagationPolicy the same way, but lets it select any namespace', () => {
    const cpp = PP.replace('kind: PropagationPolicy', 'kind: ClusterPropagationPolicy').replace('  namespace: default\n', '')
      .replace('      name: web\n', '      name: web\n      namespace: kube-system\n');
    assert.match(kubectlOk(cp, ['apply', '-f', '-'], { input: cpp }), /clusterpropagationpolicy\.policy\.karmada\.io\/web created/);
    refused(cpp.replace('name: web\nspec', 'name: bad\nspec').replace('operator: In', 'operator: Exists'),
      'The ClusterPropagationPolicy "bad" is invalid: spec.placement.clusterAffinities[1].fieldSelector: Invalid value: …: '
        + 'unsupported operator "Exists", must be In or NotIn');
  });

  it('refuses a new schedulerName on update', () => {
    const r = kubectl(cp, ['patch', 'pp', 'web', '-n', 'default', '--type=merge', '-p', '{"spec":{"schedulerName":"other"}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The PropagationPolicy "web" is invalid: spec\.schedulerName: Invalid value: "other": the schedulerName should not be updated/);
  });

  it('refuses invalid override rules', () => {
    refused(edit(OP, 'labels', 'app.kubernetes.io/part-of: shop', 'part~of: shop'),
      'The OverridePolicy "labels" is invalid: spec.overrideRules[0].overriders.labelsOverrider[0].value: Invalid value: "part~of": '
        + 'name part must consist of alphanumeric characters, …');
    refused(edit(OP, 'both', '            json:\n', '            yaml:\n              - subPath: /port\n                operator: remove\n            json:\n'),
      'The OverridePolicy "both" is invalid: spec.overrideRules[0].overriders.fieldOverrider[0]: Invalid value: …: '
        + 'FieldOverrider has both YAML and JSON set. Only one is allowed');
    refused(edit(OP, 'path', 'path: /spec/replicas', 'path: spec/replicas'),
      'The OverridePolicy "path" is invalid: spec.overrideRules[0].overriders.plaintext[0].path: Invalid value: "spec/replicas": '
        + 'JSON pointer must be empty or start with a "/');
  });

  it('refuses a ClusterOverridePolicy mixing overrideRules with the deprecated targetCluster', () => {
    const cop = OP.replace('kind: OverridePolicy', 'kind: ClusterOverridePolicy').replace('  namespace: default\n', '')
      .replace('  overrideRules:\n', '  targetCluster:\n    clusterNames: [member2]\n  overrideRules:\n');
    refused(cop, 'The ClusterOverridePolicy "web" is invalid: spec.targetCluster: Invalid value: {"clusterNames":["member2"]}: '
      + "overrideRules and targetCluster can't co-exist");
  });

  it('reports schema errors alone, as the apiserver does before calling webhooks', () => {
    refused(edit(PP, 'schema', '  placement:\n', '  preemption: Sometimes\n  placement:\n    clusterAffinity: {}\n'),
      'The PropagationPolicy "schema" is invalid: spec.preemption: Unsupported value: "Sometimes": supported values: "Always", "Never"');
  });

  it('stored only the valid policies', () => {
    const names = kubectlOk(cp, ['get', 'pp,cpp,op,cop', '-A', '-o', 'name']).trim().split('\n').sort();
    assert.deepEqual(names, [
      'clusterpropagationpolicy.policy.karmada.io/web',
      'overridepolicy.policy.karmada.io/web',
      'propagationpolicy.policy.karmada.io/web',
    ]);
  });
});
