import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MergePatchError, applyMergePatch, createMergePatch } from './mergepatch.ts';

describe('applyMergePatch', () => {
  it('passes the RFC 7386 appendix examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
    ];
    for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify(patch));
  });

  it('deletes labels with null and merges nested maps of a Deployment', () => {
    const doc = {
      metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
    };
    const out = applyMergePatch(doc, {
      metadata: { labels: { tier: null, team: 'x' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'b', image: 'b:1', resources: null }] } } },
    });
    assert.deepEqual(out, {
      metadata: { name: 'web', labels: { app: 'web', team: 'x' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'b', image: 'b:1' }] } } },
    });
    assert.deepEqual(doc.metadata.labels, { app: 'web', tier: 'front' }, 'input untouched');
  });

  it('rejects scalar and null patches and null documents', () => {
    assert.throws(() => applyMergePatch({}, null), new MergePatchError('Invalid JSON Patch'));
    assert.throws(() => applyMergePatch({}, 'x'), { message: 'Invalid JSON Patch' });
    assert.throws(() => applyMergePatch(null, {}), { message: 'Invalid JSON Document' });
  });
});

describe('createMergePatch', () => {
  it('diffs two documents so that applying the patch yields the modified one', () => {
    const original = { a: 1, b: { c: 2, d: 3 }, e: [1, 2], f: 'gone' };
    const modified = { a: 1, b: { c: 2, d: 4, x: { y: 1 } }, e: [1, 2, 3], g: true };
    const patch = createMergePatch(original, modified);
    assert.deepEqual(patch, { b: { d: 4, x: { y: 1 } }, e: [1, 2, 3], f: null, g: true });
    assert.deepEqual(applyMergePatch(original, patch), modified);
  });

  it('returns an empty patch for equal documents and the modified value for non-objects', () => {
    assert.deepEqual(createMergePatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), {});
    assert.deepEqual(createMergePatch({ a: 1 }, [1]), [1]);
  });
});
