// canopy migrate end to end: a server on SQLite, stopped, its state copied to etcd, a server on etcd with the
// same state directory.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startEtcd } from '../../test/support/etcd.ts';
import { api, CANOPY, removeDir, startServer, tempDir } from '../../test/support/server.ts';

const etcd = await startEtcd();
const dir = tempDir('canopy-migrate-');
after(async () => {
  await etcd.stop();
  removeDir(dir);
});

function canopy(args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CANOPY, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function assertOneLineError(result: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /^error: [^\n]*\n$/);
  assert.match(result.stderr, message);
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } });

describe('canopy migrate', () => {
  it('copies a stopped SQLite state to etcd, where a server on the same --dir serves the same objects', async () => {
    const from = `sqlite:${join(dir, 'canopy.db')}`;
    const onSqlite = await startServer({ dir });
    const created = new Map<string, { uid: string }>();
    try {
      assert.equal((await api(onSqlite, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).status, 201);
      for (let i = 0; i < 30; i++) {
        const answer = await api(onSqlite, 'POST', '/api/v1/namespaces/shop/configmaps', configMap(`cm-${i}`));
        assert.equal(answer.status, 201, answer.text);
        created.set(`cm-${i}`, { uid: answer.json.metadata.uid });
      }
      assertOneLineError(canopy(['migrate', '--from', from, '--to', etcd.url]),
        new RegExp(`canopy\\.db is in use by canopy process ${onSqlite.process.pid} .*; stop it, then migrate`));
    } finally {
      await onSqlite.stop();
    }

    const first = canopy(['migrate', '--from', from, '--to', etcd.url]);
    assert.equal(first.code, 0, first.stderr);
    const copied = Number(/^copied (\d+) keys from /m.exec(first.stdout)?.[1]);
    const configMaps = Number(/^core\/configmaps +(\d+)$/m.exec(first.stdout)?.[1]);
    assert.ok(configMaps >= created.size, first.stdout);
    const perResource = [...first.stdout.matchAll(/^\S+ +(\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(perResource, copied);
    assert.match(first.stdout, /objects have new resourceVersions/);
    assertOneLineError(canopy(['migrate', '--from', from, '--to', etcd.url]),
      new RegExp(`already holds ${copied} keys under /registry/; .* pass --force`));
    const forced = canopy(['migrate', '--from', from, '--to', etcd.url, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`^copied ${copied} keys \\(${copied} overwritten\\)`, 'm'));

    const onEtcd = await startServer({ dir, args: ['--store', etcd.url] });
    try {
      for (const [name, { uid }] of created) {
        const got = await api(onEtcd, 'GET', `/api/v1/namespaces/shop/configmaps/${name}`);
        assert.equal(got.status, 200, got.text);
        assert.equal(got.json.metadata.uid, uid);
        assert.deepEqual(got.json.data, { name });
      }
      const list = await api(onEtcd, 'GET', '/api/v1/namespaces/shop/configmaps');
      assert.ok(created.size <= list.json.items.length);
      assert.equal((await api(onEtcd, 'POST', '/api/v1/namespaces/shop/configmaps', configMap('after'))).status, 201);
    } finally {
      await onEtcd.stop();
    }
  });

  it('refuses what it cannot copy, with one line and exit code 1', () => {
    assertOneLineError(canopy(['migrate', '--from', join(dir, 'canopy.db'), '--to', etcd.url]), /--from must be sqlite:PATH/);
    assertOneLineError(canopy(['migrate', '--from', `sqlite:${join(dir, 'missing.db')}`, '--to', etcd.url]), /no such file .*missing\.db/);
    assertOneLineError(canopy(['migrate', '--from', `sqlite:${join(dir, 'canopy.db')}`, '--to', 'sqlite:/tmp/x.db']), /--to must be an etcd URL/);
    assertOneLineError(canopy(['migrate', '--from', `sqlite:${join(dir, 'canopy.db')}`, '--to', `${etcd.url}?user=root:secret&bogus=1`]),
      /unknown parameter "bogus"/);
    assertOneLineError(canopy(['migrate', '--from', `sqlite:${join(dir, 'canopy.db')}`, '--to', 'etcd://127.0.0.1:1']),
      /cannot use etcd at etcd:\/\/127\.0\.0\.1:1: etcd 127\.0\.0\.1:1: cannot connect/);
  });
});
