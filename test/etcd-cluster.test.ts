// canopy serve on a three-member etcd cluster: one member killed during a stream of creates, then a second
// one (no quorum), then both back. Nothing acknowledged is lost, and every request gets an answer.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etcdctl, startEtcdCluster } from './support/etcd.ts';
import { api, removeDir, startServer, waitFor } from './support/server.ts';

const cluster = await startEtcdCluster(3);
const server = await startServer({ args: ['--store', cluster.url] });
after(async () => {
  await server.stop();
  removeDir(server.dir);
  await cluster.stop();
});

const PATH = '/api/v1/namespaces/default/configmaps';
/** Far above the store's 10 s deadline on etcd calls: a request still unanswered by then hangs. */
const ANSWER_WITHIN_MS = 60_000;

type Answer = Awaited<ReturnType<typeof api>>;

async function request(method: string, path: string, body?: unknown): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${method} ${path} got no answer within ${ANSWER_WITHIN_MS / 1000} s`)), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([api(server, method, path, body), hung]);
  } finally {
    clearTimeout(timer);
  }
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } });

function assertServiceUnavailable(answer: Answer): void {
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.json?.kind, 'Status');
  assert.equal(answer.json?.code, 503);
  assert.equal(answer.json?.reason, 'ServiceUnavailable');
  assert.match(answer.json?.message, /^storage is unavailable: etcd 127\.0\.0\.1:\d+: /);
}

const acknowledged: string[] = [];

async function assertAllReadable(): Promise<void> {
  for (const name of acknowledged) {
    const got = await request('GET', `${PATH}/${name}`);
    assert.equal(got.status, 200, `acknowledged ${name}: ${got.text}`);
    assert.equal(got.json.data.name, name);
  }
  const list = await request('GET', PATH);
  assert.equal(list.status, 200, list.text);
  const listed = new Set(list.json.items.map((item: { metadata: { name: string } }) => item.metadata.name));
  for (const name of acknowledged) assert.ok(listed.has(name), `acknowledged ${name} is not listed`);
}

describe('canopy serve on a three-member etcd cluster', () => {
  it('keeps accepting creates while one member is killed, and loses none it acknowledged', async () => {
    const failures: Answer[] = [];
    let sequence = 0;
    let afterKill = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      // Bounded: stops once 50 creates were acknowledged after the kill, or after 2000 attempts in all.
      while (afterKill < 50 && sequence < 2000) {
        const name = `cm-${sequence++}`;
        const answer = await request('POST', PATH, configMap(name));
        if (answer.status !== 201) {
          failures.push(answer);
          continue;
        }
        acknowledged.push(name);
        if (killed) afterKill++;
        // The store uses the first endpoint until it fails: kill that one.
        else if (acknowledged.length === 50) killed = cluster.members[0]!.kill();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await killed;
    assert.equal(afterKill >= 50, true, `only ${afterKill} creates acknowledged after the kill`);
    for (const failure of failures) assertServiceUnavailable(failure);
    await assertAllReadable();
  });

  it('answers writes with 503 ServiceUnavailable without quorum, and still serves what it holds to reads', async () => {
    // The survivor must hold every acknowledged create before its last peer goes: wait until it applied them.
    const list = await request('GET', PATH);
    const revision = Number(list.json.metadata.resourceVersion);
    const survivor = cluster.members[2]!;
    await waitFor('the survivor to catch up', () => {
      const out = JSON.parse(etcdctl([survivor], ['get', '/registry/', '--consistency=s', '-w', 'json']));
      return out.header.revision >= revision ? true : undefined;
    });
    await cluster.members[1]!.kill();

    for (let i = 0; i < 3; i++) assertServiceUnavailable(await request('POST', PATH, configMap(`no-quorum-${i}`)));
    const update = await request('PUT', `${PATH}/${acknowledged[0]}`, { ...configMap(acknowledged[0]!), data: { changed: 'yes' } });
    assertServiceUnavailable(update);

    // A linearizable read needs a leader; once the survivor knows it has none, reads come from its own state.
    await waitFor('reads to be served', async () => ((await request('GET', `${PATH}/${acknowledged[0]}`)).status === 200 ? true : undefined), 60_000);
    await assertAllReadable();
    for (let i = 0; i < 3; i++) assert.equal((await request('GET', `${PATH}/no-quorum-${i}`)).status, 404);
  });

  it('accepts writes again once the killed members are back, with every acknowledged create intact', async () => {
    await Promise.all([cluster.members[0]!.start(), cluster.members[1]!.start()]);
    const created = await waitFor('a create to succeed', async () => {
      const answer = await request('POST', PATH, configMap(`back-${acknowledged.length}`));
      if (answer.status !== 201) return undefined;
      acknowledged.push(answer.json.metadata.name);
      return answer;
    }, 60_000);
    const updated = await request('PUT', `${PATH}/${acknowledged[0]}`, { ...configMap(acknowledged[0]!), data: { name: acknowledged[0], changed: 'yes' } });
    assert.equal(updated.status, 200, updated.text);
    assert.ok(Number(updated.json.metadata.resourceVersion) > Number(created.json.metadata.resourceVersion));
    await assertAllReadable();
  });
});
