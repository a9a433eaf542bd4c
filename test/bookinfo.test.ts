// The seed's Bookinfo walk-through, verbatim: the two files of examples/bookinfo applied with kubectl to the
// control plane put exactly the expected workloads on member1 and member2, and the Services on both; the same
// with member2 in Pull mode (its agent applies what the control plane decides).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFederation, waitForNames, type Federation } from './support/federation.ts';
import { kubectlOk, ROOT, waitFor } from './support/server.ts';

const EXAMPLES = join(ROOT, 'examples', 'bookinfo');
const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

for (const pull of [[], ['member2']]) describe(`Bookinfo across two members${pull.length ? ', member2 in Pull mode' : ''}`, () => {
  let f: Federation;
  before(async () => { f = await startFederation(['member1', 'member2'], [], pull); });
  after(async () => { await f?.stop(); });

  it('places every workload where propagation.yaml says', async () => {
    kubectlOk(f.cp, ['apply', '-f', join(EXAMPLES, 'bookinfo-karmada.yaml')]);
    kubectlOk(f.cp, ['apply', '-f', join(EXAMPLES, 'propagation.yaml')]);
    const { member1, member2 } = f.members as Record<string, typeof f.cp>;
    await waitForNames(member1!, 'deployments', ['productpage-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
    await waitForNames(member2!, 'deployments', ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
    const services = ['details', 'productpage', 'ratings', 'reviews'];
    await waitForNames(member1!, 'services', services);
    await waitForNames(member2!, 'services', services);
    await waitForNames(member1!, 'serviceaccounts', ['bookinfo-productpage', 'bookinfo-reviews']);
    await waitForNames(member2!, 'serviceaccounts', ['bookinfo-details', 'bookinfo-ratings', 'bookinfo-reviews']);
  });

  it('reports the bindings scheduled and fully applied, and the Deployments ready in the control plane', async () => {
    await waitFor('every binding FullyApplied', () => {
      const rbs = JSON.parse(kubectlOk(f.cp, ['get', 'resourcebindings', '-o', 'json'])).items;
      const done = rbs.filter((b: any) => b.status?.conditions?.some((c: any) => c.type === 'FullyApplied' && c.status === 'True'));
      return rbs.length === 14 && done.length === 14 ? true : undefined;
    });
    const reviews = JSON.parse(kubectlOk(f.cp, ['get', 'resourcebinding', 'reviews-v1-deployment', '-o', 'json']));
    assert.deepEqual(reviews.spec.clusters.map((c: any) => c.name), ['member1', 'member2']);
    assert.equal(reviews.metadata.annotations['propagationpolicy.karmada.io/name'], 'reviews-propagation');
    const ready = await waitFor('reviews-v1 ready in the control plane (one replica per member)', () => {
      const d = JSON.parse(kubectlOk(f.cp, ['get', 'deployment', 'reviews-v1', '-o', 'json']));
      return d.status?.readyReplicas === 2 ? d : undefined;
    });
    assert.equal(ready.status.replicas, 2);
    const template = JSON.parse(kubectlOk(f.cp, ['get', 'deployment', 'details-v1', '-o', 'json']));
    assert.equal(template.metadata.annotations['propagationpolicy.karmada.io/namespace'], 'default');
    assert.match(template.metadata.labels['propagationpolicy.karmada.io/permanent-id'], /^[0-9a-f-]{36}$/);
    const events = await waitFor('the propagation events of details-v1', () => {
      const list = JSON.parse(kubectlOk(f.cp, ['get', 'events', '--field-selector', 'involvedObject.name=details-v1', '-o', 'json'])).items;
      const reasons = new Set(list.filter((e: any) => e.involvedObject.kind === 'Deployment').map((e: any) => e.reason));
      return ['ApplyPolicySucceed', 'ScheduleBindingSucceed', 'SyncWorkSucceed'].every((r) => reasons.has(r)) ? list : undefined;
    });
    const scheduled = events.find((e: any) => e.reason === 'ScheduleBindingSucceed' && e.involvedObject.kind === 'Deployment');
    assert.equal(scheduled.message, 'Binding has been scheduled successfully. Result: {member2:1}');
    assert.equal(events.find((e: any) => e.reason === 'ApplyPolicySucceed').message, 'Apply policy(default/details-propagation) succeed');
  });

  it('applying both files again (kubectl 1.27 too) changes nothing', {
    skip: pull.length ? 'about kubectl and the templates, not the mode: run once' : !existsSync(KUBECTL_127) && 'no kubectl 1.27',
  }, async () => {
    for (const binary of [undefined, KUBECTL_127]) {
      for (const file of ['bookinfo-karmada.yaml', 'propagation.yaml']) {
        const out = kubectlOk(f.cp, ['apply', '-f', join(EXAMPLES, file)], binary ? { binary } : {});
        assert.deepEqual(out.split('\n').filter((l) => l && !l.endsWith(' unchanged')), [], out);
      }
    }
    const { member1 } = f.members as Record<string, typeof f.cp>;
    await waitForNames(member1!, 'deployments', ['productpage-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
  });
});
