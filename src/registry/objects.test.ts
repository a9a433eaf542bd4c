// The object service on a real (in-memory) SQLite store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../storage/sqlite.ts';
import { ApiError } from '../apiserver/errors.ts';
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
