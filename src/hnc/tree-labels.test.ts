import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wantedTreeLabels, withTreeLabels } from './tree-labels.ts';

const ns = (name: string, labels: Record<string, string> = {}, parent?: string) => ({
  metadata: { name, labels, ...(parent ? { annotations: { 'hnc.x-k8s.io/subnamespace-of': parent } } : {}) },
});

describe('tree labels', () => {
  it('a root keeps its tree labels and gets its own at depth 0', () => {
    assert.deepEqual(wantedTreeLabels(ns('shipping-prod', { 'online.tree.hnc.x-k8s.io/depth': '1', app: 'x' }), undefined),
      { 'online.tree.hnc.x-k8s.io/depth': '1', 'shipping-prod.tree.hnc.x-k8s.io/depth': '0' });
  });

  it('a subnamespace gets its parent\'s one deeper (the parent counted as a root when unlabelled) and its own', () => {
    assert.deepEqual(wantedTreeLabels(ns('child', {}, 'parent'), ns('parent')),
      { 'parent.tree.hnc.x-k8s.io/depth': '1', 'child.tree.hnc.x-k8s.io/depth': '0' });
    const parent = ns('shipping-prod', {
      'shipping-prod.tree.hnc.x-k8s.io/depth': '0', 'shipping-app-backend.tree.hnc.x-k8s.io/depth': '1',
      'online.tree.hnc.x-k8s.io/depth': '2', 'root.tree.hnc.x-k8s.io/depth': '3',
    });
    assert.deepEqual(wantedTreeLabels(ns('shipping-prod-v1', { 'stale.tree.hnc.x-k8s.io/depth': '5' }, 'shipping-prod'), parent), {
      'shipping-prod-v1.tree.hnc.x-k8s.io/depth': '0', 'shipping-prod.tree.hnc.x-k8s.io/depth': '1',
      'shipping-app-backend.tree.hnc.x-k8s.io/depth': '2', 'online.tree.hnc.x-k8s.io/depth': '3', 'root.tree.hnc.x-k8s.io/depth': '4',
    });
  });

  it('a subnamespace whose parent is missing has only its own; a depth that is no number is dropped', () => {
    assert.deepEqual(wantedTreeLabels(ns('orphan', {}, 'gone'), undefined), { 'orphan.tree.hnc.x-k8s.io/depth': '0' });
    assert.deepEqual(wantedTreeLabels(ns('c', {}, 'p'), ns('p', { 'x.tree.hnc.x-k8s.io/depth': 'deep' })),
      { 'p.tree.hnc.x-k8s.io/depth': '1', 'c.tree.hnc.x-k8s.io/depth': '0' });
  });

  it('replaces every tree label and keeps the other labels', () => {
    assert.deepEqual(withTreeLabels({ app: 'x', 'old.tree.hnc.x-k8s.io/depth': '1' }, { 'new.tree.hnc.x-k8s.io/depth': '0' }),
      { app: 'x', 'new.tree.hnc.x-k8s.io/depth': '0' });
  });
});
