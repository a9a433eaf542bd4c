// Prometheus metrics: request counts by verb/resource/code, open watches, store latencies.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

let server: RunningServer;

async function metrics(): Promise<string> {
  const res = await api(server, 'GET', '/metrics');
  assert.equal(res.status, 200);
  return res.text;
}

describe('metrics', () => {
  before(async () => { server = await startServer(); });
  after(async () => {
    await server.stop();
    removeDir(server.dir);
  });

  it('counts requests by verb, resource and code, and times the store', async () => {
    await api(server, 'GET', '/api/v1/namespaces/default/configmaps/missing');
    const text = await metrics();
    assert.match(text, /apiserver_request_total\{verb="get",group="",resource="configmaps",code="404"\} 1/);
    assert.match(text, /canopy_store_request_duration_seconds_count\{operation="get"\} \d+/);
  });

  it('gauges open watches', async () => {
    const url = new URL(server.url);
    const watch = request({
      host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/configmaps?watch=true', ca: server.ca,
      headers: { Authorization: `Bearer ${server.token}` },
    });
    const opened = new Promise((resolve) => watch.on('response', resolve));
    watch.on('error', () => {});
    watch.end();
    await opened;
    assert.match(await metrics(), /apiserver_registered_watchers\{group="",resource="configmaps"\} 1/);
    watch.destroy();
    for (let i = 0; i < 50 && !/apiserver_registered_watchers\{group="",resource="configmaps"\} 0/.test(await metrics()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(await metrics(), /apiserver_registered_watchers\{group="",resource="configmaps"\} 0/);
  });
});
