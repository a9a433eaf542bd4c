import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyInjectionChange, describeInjection, homingClusters, injectionLabels, injectionState, parseHomingClusters } from './injection.ts';

describe('injection state, with Istio precedence', () => {
  it('no injection label: no injection', () => {
    assert.deepEqual(injectionState({ team: 'a' }), { mode: 'none', warnings: [] });
  });
  it('istio-injection=enabled: sidecar from the default revision', () => {
    const s = injectionState({ 'istio-injection': 'enabled' });
    assert.equal(s.mode, 'sidecar');
    assert.equal(s.revision, undefined);
    assert.equal(describeInjection(s), 'sidecar injection enabled (revision default, istio-injection=enabled)');
  });
  it('istio-injection=disabled: none', () => {
    assert.equal(injectionState({ 'istio-injection': 'disabled' }).mode, 'none');
  });
  it('istio.io/rev alone: sidecar from that revision', () => {
    const s = injectionState({ 'istio.io/rev': 'canary' });
    assert.deepEqual([s.mode, s.revision, s.decidedBy, s.warnings], ['sidecar', 'canary', 'istio.io/rev=canary', []]);
  });
  it('both labels: istio-injection decides, the revision is ignored, with a warning', () => {
    const on = injectionState({ 'istio-injection': 'enabled', 'istio.io/rev': 'canary' });
    assert.deepEqual([on.mode, on.revision], ['sidecar', undefined]);
    assert.match(on.warnings[0]!, /both istio-injection and istio.io\/rev are set: Istio ignores istio.io\/rev=canary/);
    const off = injectionState({ 'istio-injection': 'disabled', 'istio.io/rev': 'canary' });
    assert.equal(off.mode, 'none');
    assert.equal(off.warnings.length, 1);
  });
  it('an istio-injection value other than enabled/disabled injects nothing, with a warning', () => {
    const s = injectionState({ 'istio-injection': 'true', 'istio.io/rev': 'canary' });
    assert.equal(s.mode, 'none');
    assert.ok(s.warnings.some((w) => w.includes('istio-injection=true is neither "enabled" nor "disabled"')));
  });
  it('ambient: ztunnel unless a sidecar is injected, which takes precedence', () => {
    assert.equal(injectionState({ 'istio.io/dataplane-mode': 'ambient' }).mode, 'ambient');
    assert.equal(injectionState({ 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'disabled' }).mode, 'ambient');
    const both = injectionState({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/rev': 'stable' });
    assert.deepEqual([both.mode, both.revision], ['sidecar', 'stable']);
    assert.match(both.warnings[0]!, /ambient has no effect on pods that get a sidecar/);
    assert.equal(injectionState({ 'istio.io/dataplane-mode': 'none' }).mode, 'none');
    assert.match(injectionState({ 'istio.io/dataplane-mode': 'sidecar' }).warnings[0]!, /neither "ambient" nor "none"/);
  });
});

describe('injection changes', () => {
  it('enable and disable set istio-injection and keep the rest', () => {
    assert.deepEqual(applyInjectionChange({ a: 'b' }, { enable: true }), { a: 'b', 'istio-injection': 'enabled' });
    assert.deepEqual(applyInjectionChange({ 'istio-injection': 'enabled' }, { disable: true }), { 'istio-injection': 'disabled' });
  });
  it('a revision sets istio.io/rev and removes istio-injection', () => {
    assert.deepEqual(applyInjectionChange({ 'istio-injection': 'enabled', a: 'b' }, { revision: 'canary' }), { a: 'b', 'istio.io/rev': 'canary' });
  });
  it('only the three injection labels are picked', () => {
    assert.deepEqual(injectionLabels({ 'istio-injection': 'enabled', 'istio.io/rev': 'x', 'istio.io/dataplane-mode': 'ambient', other: 'y' }),
      { 'istio-injection': 'enabled', 'istio.io/rev': 'x', 'istio.io/dataplane-mode': 'ambient' });
  });
});

describe('homing clusters', () => {
  it('parses a comma-separated list, spaces allowed', () => {
    assert.deepEqual(parseHomingClusters('member1, member2'), { clusters: ['member1', 'member2'], problems: [] });
  });
  it('rejects empty values and entries, duplicates and invalid names', () => {
    assert.match(parseHomingClusters('').problems[0]!, /must name at least one cluster/);
    assert.match(parseHomingClusters('a,,b').problems[0]!, /must not be empty/);
    assert.match(parseHomingClusters('a,a').problems[0]!, /listed twice/);
    assert.match(parseHomingClusters('Member_1').problems[0]!, /not a valid cluster name: a lowercase RFC 1123 label/);
  });
  it('absent means every joined cluster; named clusters that are not joined count for nothing', () => {
    assert.deepEqual(homingClusters({ metadata: {} }, ['m1', 'm2']), ['m1', 'm2']);
    assert.deepEqual(homingClusters({ metadata: { annotations: { 'canopy.io/homing-clusters': 'm2,gone' } } }, ['m1', 'm2']), ['m2']);
  });
});
