// The object service on a real (in-memory) SQLite store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../storage/sqlite.ts';
import { ApiError } from '../apiserver/errors.ts';
import { parseLabelSelector } from '../apiserver/selectors.ts';
import { ObjectService } from './objects.ts';
import { Registry } from './registry.ts';

function service(suffixes: string[]): ObjectService {
  let i = 0;
  return new ObjectService(SqliteStore.open(':memory:'), new Registry(), { nameSuffix: () => suffixes[Math.min(i++, suffixes.length - 1)]! });
}

describe('generateName', () => {
  it('tries a new suffix when the generated name is taken', async () => {
    const objects = service(['aaaaa', 'aaaaa', 'bbbbb']);
    const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
    const first = await objects.create(namespaces, undefined, { metadata: { generateName: 'x-' } });
    const second = await objects.create(namespaces, undefined, { metadata: { generateName: 'x-' } });
    assert.equal(first.metadata.name, 'x-aaaaa');
    assert.equal(second.metadata.name, 'x-bbbbb');
  });

  it('gives up with AlreadyExists when every try collides', async () => {
    const objects = service(['aaaaa']);
    const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
    await objects.create(namespaces, undefined, { metadata: { generateName: 'x-' } });
    await assert.rejects(objects.create(namespaces, undefined, { metadata: { generateName: 'x-' } }),
      (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists' && e.message === 'namespaces "x-aaaaa" already exists');
  });

  it('never retries an explicit name', async () => {
    const objects = service(['aaaaa', 'bbbbb']);
    const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
    await objects.create(namespaces, undefined, { metadata: { name: 'fixed' } });
    await assert.rejects(objects.create(namespaces, undefined, { metadata: { name: 'fixed', generateName: 'x-' } }),
      (e: unknown) => e instanceof ApiError && e.code === 409);
  });
});

describe('lists as JSON', () => {
  it('gives each item as list() decodes it, written from the stored bytes or decoded when they are not in the usual form', async () => {
    const objects = service(['aaaaa']);
    const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
    const configMaps = objects.registry.lookup('', 'v1', 'configmaps')!;
    await objects.create(namespaces, undefined, { metadata: { name: 'n' } });
    // Keys in an unusual order, quotes and a nested "metadata" before the object's own.
    await objects.create(configMaps, 'n', { data: { q: '"metadata":{"x"' }, metadata: { name: 'b', labels: { a: '1' } }, kind: 'ConfigMap' });
    await objects.create(configMaps, 'n', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
    // Stored before values were written in one order: decoded instead.
    await objects.store.create('/registry/core/configmaps/n/c', JSON.stringify({ data: {}, metadata: { name: 'c', namespace: 'n' }, kind: 'ConfigMap', apiVersion: 'v1' }));
    const decoded = await objects.list(configMaps, 'n');
    const json = await objects.listJson(configMaps, 'n');
    assert.equal(json.resourceVersion, decoded.resourceVersion);
    assert.deepEqual(json.items.map((item) => JSON.parse(item)), decoded.items);
    assert.deepEqual(decoded.items.map((item) => item.metadata.name), ['a', 'b', 'c']);
    assert.ok(decoded.items.every((item) => item.metadata.resourceVersion));
    const selected = await objects.listJson(configMaps, 'n', { limit: 1, labelSelector: parseLabelSelector('a') });
    assert.deepEqual(selected.items.map((item) => JSON.parse(item).metadata.name), ['b']);
  });
});

describe('workload defaults', () => {
  it('fill an empty update strategy as upstream (kubectl create deployment sends `strategy: {}`)', async () => {
    const objects = service(['aaaaa']);
    await objects.create(objects.registry.lookup('', 'v1', 'namespaces')!, undefined, { metadata: { name: 'n' } });
    const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const spec = { selector: { matchLabels: { app: 'a' } }, template };
    const deployment = await objects.create(objects.registry.lookup('apps', 'v1', 'deployments')!, 'n',
      { metadata: { name: 'd' }, spec: { ...spec, strategy: {} } });
    assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    const daemonSet = await objects.create(objects.registry.lookup('apps', 'v1', 'daemonsets')!, 'n',
      { metadata: { name: 'd' }, spec: { ...spec, updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } });
    assert.deepEqual(daemonSet.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } });
  });
});
