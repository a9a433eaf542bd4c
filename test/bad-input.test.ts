// Hostile and malformed requests: each gets a 4xx metav1.Status with upstream's code and reason, the server
// stays up, and the store is unchanged.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

let server: RunningServer;
const NS = 'bad';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments`;

interface Response {
  status: number;
  text: string;
  json: any;
}

/** A request on a connection of its own (no keep-alive) unless an agent is given. */
function raw(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {},
  agent: Agent | false = false): Promise<Response> {
  return api(server, method, path, body, headers, agent);
}

interface Snapshot {
  [path: string]: { resourceVersion: string; names: string[] };
}

const WATCHED = ['/api/v1/namespaces', CM, DEPLOY, '/api/v1/configmaps'];

async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const path of WATCHED) {
    const res = await api(server, 'GET', path);
    assert.equal(res.status, 200, res.text);
    out[path] = { resourceVersion: res.json.metadata.resourceVersion, names: res.json.items.map((i: any) => i.metadata.name).sort() };
  }
  return out;
}

let baseline: Snapshot;

/** The server answers /healthz, and no list changed (items and resourceVersion). */
async function assertHealthyAndUnchanged(): Promise<void> {
  const health = await api(server, 'GET', '/healthz', undefined, { Authorization: '' });
  assert.equal(health.status, 200);
  assert.equal(health.text, 'ok');
  assert.equal(server.process.exitCode, null, 'the server is still running');
  assert.deepEqual(await snapshot(), baseline);
}

/** A metav1.Status failure with this code and reason; returns its message. */
function assertStatus(res: Response, code: number, reason: string): string {
  assert.equal(res.status, code, `expected ${code} ${reason}, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.ok(res.json, `a JSON Status body, got ${JSON.stringify(res.text.slice(0, 200))}`);
  assert.equal(res.json.kind, 'Status');
  assert.equal(res.json.apiVersion, 'v1');
  assert.equal(res.json.status, 'Failure');
  assert.equal(res.json.code, code);
  assert.equal(res.json.reason, reason);
  assert.equal(typeof res.json.message, 'string');
  return res.json.message;
}

async function expectStatus(code: number, reason: string, method: string, path: string, body?: string | Buffer,
  headers?: Record<string, string>): Promise<string> {
  const message = assertStatus(await raw(method, path, body, headers), code, reason);
  await assertHealthyAndUnchanged();
  return message;
}

const deployment = (replicas: unknown) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
  spec: {
    replicas, selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

describe('bad input', () => {
  let existing: any;

  before(async () => {
    server = await startServer();
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    const created = await api(server, 'POST', CM, { metadata: { name: 'keep' }, data: { a: '1' } });
    assert.equal(created.status, 201, created.text);
    existing = created.json;
    const d = await api(server, 'POST', DEPLOY, deployment(1));
    assert.equal(d.status, 201, d.text);
    // Let the namespace controller settle before taking the baseline.
    await new Promise((r) => setTimeout(r, 300));
    baseline = await snapshot();
  });
  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dir);
  });

  it('malformed JSON: 400 BadRequest', async () => {
    await expectStatus(400, 'BadRequest', 'POST', CM, '{"metadata": {"name": "x"');
    await expectStatus(400, 'BadRequest', 'POST', CM, '{"metadata": {"name": "x"}} trailing');
    await expectStatus(400, 'BadRequest', 'POST', CM, '');
    await expectStatus(400, 'BadRequest', 'PUT', `${CM}/keep`, '{,}');
    await expectStatus(400, 'BadRequest', 'PATCH', `${CM}/keep`, '{"data":', { 'Content-Type': 'application/merge-patch+json' });
    await expectStatus(400, 'BadRequest', 'POST', CM, Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
  });

  it('malformed YAML (application/yaml): 400 BadRequest', async () => {
    const yaml = { 'Content-Type': 'application/yaml' };
    await expectStatus(400, 'BadRequest', 'POST', CM, 'metadata: [\n  name: {', yaml);
    await expectStatus(400, 'BadRequest', 'POST', CM, 'metadata:\n  name: a\n  name: b\n', yaml);
    await expectStatus(400, 'BadRequest', 'POST', CM, 'a: b: c', yaml);
    await expectStatus(400, 'BadRequest', 'POST', CM, '- just\n- a list\n', yaml);
    await expectStatus(400, 'BadRequest', 'POST', CM, 'metadata:\n\tname: tab\n', yaml);
    // The alias bomb ("billion laughs") is refused, not expanded.
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
      'metadata: {name: bomb}'].join('\n');
    await expectStatus(400, 'BadRequest', 'POST', CM, bomb, yaml);
  });

  it('wrong field types: 400 BadRequest with the Go unmarshal message', async () => {
    const message = await expectStatus(400, 'BadRequest', 'POST', DEPLOY, deployment('three'));
    assert.match(message, /cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
    const cm = await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ metadata: { name: 't' }, data: { a: 1 } }));
    assert.match(cm, /cannot unmarshal number into Go struct field ConfigMap\.data of type string/);
    await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ metadata: 'oops' }));
    await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ metadata: { name: 't', labels: ['a'] } }));
  });

  it('unknown group/kind paths: 404 NotFound', async () => {
    await expectStatus(404, 'NotFound', 'GET', '/apis/foo.io/v1/widgets');
    await expectStatus(404, 'NotFound', 'POST', '/apis/foo.io/v1/namespaces/bad/widgets', '{"metadata":{"name":"w"}}');
    await expectStatus(404, 'NotFound', 'GET', '/api/v1/namespaces/bad/widgets');
    await expectStatus(404, 'NotFound', 'GET', '/apis/apps/v9/deployments');
    await expectStatus(404, 'NotFound', 'GET', `${CM}/keep/nosuchsubresource`);
  });

  it('unknown fields with fieldValidation=Strict: 400 BadRequest naming the field', async () => {
    const message = await expectStatus(400, 'BadRequest', 'POST', `${CM}?fieldValidation=Strict`,
      JSON.stringify({ metadata: { name: 'u' }, bogus: 1, data: {} }));
    assert.match(message, /strict decoding error: unknown field "bogus"/);
    assert.doesNotMatch(message, /unknown field "unknown field/);
    const dup = await expectStatus(400, 'BadRequest', 'POST', `${CM}?fieldValidation=Strict`,
      '{"metadata":{"name":"u"},"data":{"a":"1"},"data":{"b":"2"}}');
    assert.match(dup, /duplicate field "data"/);
    await expectStatus(400, 'BadRequest', 'POST', `${CM}?fieldValidation=Bogus`, JSON.stringify({ metadata: { name: 'u' } }));
  });

  it('a body over 3 MiB: 413 RequestEntityTooLarge', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
    // A keep-alive connection, as kubectl's: with `Connection: close` the server may close the socket
    // while the client is still writing the body, and the client sees EPIPE instead of the 413.
    const agent = new Agent({ keepAlive: true, ca: server.ca });
    try {
      for (const [method, path] of [['POST', CM], ['PUT', `${CM}/keep`], ['POST', CM]]) {
        assertStatus(await raw(method!, path!, big, {}, agent), 413, 'RequestEntityTooLarge');
        await assertHealthyAndUnchanged();
      }
    } finally {
      agent.destroy();
    }
    // Without a Content-Length too (chunked).
    const chunked = await new Promise<Response>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({
        host: url.hostname, port: url.port, path: CM, method: 'POST', ca: server.ca, agent: false,
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text) });
        });
      });
      req.on('error', reject);
      const piece = Buffer.alloc(256 * 1024, 'x');
      for (let i = 0; i < 16; i++) req.write(piece);
      req.end();
    });
    assertStatus(chunked, 413, 'RequestEntityTooLarge');
    await assertHealthyAndUnchanged();
  });

  it('hostile names: 422 Invalid in a body, 404 in a path, never another object', async () => {
    for (const name of ['../x', 'a/b', 'a'.repeat(300), 'héllo', '名前', '%2F', '..', '.', 'UPPER', ' ', 'a\u0000b']) {
      const message = await expectStatus(422, 'Invalid', 'POST', CM, JSON.stringify({ metadata: { name } }));
      assert.match(message, /metadata\.name: Invalid value/);
    }
    for (const segment of ['..%2Fx', 'a%2Fb', 'h%C3%A9llo', 'a'.repeat(300), '%00']) {
      for (const method of ['GET', 'DELETE']) await expectStatus(404, 'NotFound', method, `${CM}/${segment}`);
      await expectStatus(404, 'NotFound', 'PUT', `${CM}/${segment}`, JSON.stringify({ metadata: { name: decodeURIComponent(segment) } }));
    }
    // Upstream refuses a name containing '%' with 400 ("Name parameter invalid"); 404 is as safe.
    for (const segment of ['%252F', '%ZZ', '%']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await raw(method, `${CM}/${segment}`);
        assert.ok([400, 404].includes(res.status), `${method} ${segment}: ${res.status} ${res.text}`);
        assert.equal(res.json?.kind, 'Status');
        await assertHealthyAndUnchanged();
      }
    }
  });

  it('dot segments in a path do not address a parent resource: 400 BadRequest', async () => {
    // `configmaps/..` must not resolve to the namespace (nor `configmaps/.` to the collection); upstream
    // answers "Name parameter invalid: \"..\": may not be '..'".
    for (const segment of ['..', '%2e%2e', '%2E%2E', '.%2e', '.', '%2e']) {
      for (const method of ['GET', 'DELETE']) await expectStatus(400, 'BadRequest', method, `${CM}/${segment}`);
      await expectStatus(400, 'BadRequest', 'PUT', `${CM}/${segment}`, JSON.stringify({ metadata: { name: 'bad' } }));
    }
    await expectStatus(400, 'BadRequest', 'GET', `${CM}/../../../`);
    await expectStatus(400, 'BadRequest', 'DELETE', `/api/v1/namespaces/${NS}/configmaps/../../${NS}`);
    const ns = await api(server, 'GET', `/api/v1/namespaces/${NS}`);
    assert.equal(ns.json.metadata.deletionTimestamp, undefined, 'the namespace was not deleted');
  });

  it('deep nesting: 400 BadRequest, no crash', async () => {
    const n = 10_000;
    await expectStatus(400, 'BadRequest', 'POST', CM, `{"metadata":{"name":"deep"},"data":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`);
    await expectStatus(400, 'BadRequest', 'POST', CM, `{"metadata":{"name":"deep"},"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`);
    await expectStatus(400, 'BadRequest', 'POST', CM, `metadata: {name: deep}\ndata: {a: ${'['.repeat(n)}${']'.repeat(n)}}\n`,
      { 'Content-Type': 'application/yaml' });
    await expectStatus(400, 'BadRequest', 'POST', CM, `metadata: {name: deep}\ndata: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
      { 'Content-Type': 'application/yaml' });
    await expectStatus(400, 'BadRequest', 'PATCH', `${CM}/keep`, `{"data":${'['.repeat(n)}${']'.repeat(n)}}`,
      { 'Content-Type': 'application/merge-patch+json' });
    await expectStatus(400, 'BadRequest', 'POST', CM, `{"metadata":{"name":"deep"},"data":{"a":${'['.repeat(n)}`);
    // A million levels in JSON (2 MiB) is a 400 too.
    await expectStatus(400, 'BadRequest', 'POST', CM, `{"metadata":{"name":"deep"},"data":{"a":${'['.repeat(1e6)}${']'.repeat(1e6)}}}`);
  });

  it('deeply nested YAML near the size limit is rejected before parsing', async () => {
    const n = 1_000_000;
    const message = await expectStatus(400, 'BadRequest', 'POST', CM, `metadata: {name: deep}\ndata: {a: ${'['.repeat(n)}${']'.repeat(n)}}\n`,
      { 'Content-Type': 'application/yaml' });
    assert.match(message, /maximum nesting depth/);
  });

  it('an unsupported patch content type: 415 UnsupportedMediaType', async () => {
    const patch = JSON.stringify({ data: { a: '2' } });
    for (const type of ['text/plain', 'application/json', 'application/xml', 'application/apply-patch+yaml+bogus']) {
      await expectStatus(415, 'UnsupportedMediaType', 'PATCH', `${CM}/keep`, patch, { 'Content-Type': type });
    }
    await expectStatus(415, 'UnsupportedMediaType', 'POST', CM, JSON.stringify({ metadata: { name: 'x' } }), { 'Content-Type': 'text/plain' });
  });

  it('a non-object body: 400 BadRequest', async () => {
    for (const body of ['[]', '"str"', 'null', '1', 'true', '[{"metadata":{"name":"x"}}]']) {
      await expectStatus(400, 'BadRequest', 'POST', CM, body);
      await expectStatus(400, 'BadRequest', 'PUT', `${CM}/keep`, body);
    }
    for (const body of ['"str"', '1', '[]']) {
      const res = await raw('PATCH', `${CM}/keep`, body, { 'Content-Type': 'application/merge-patch+json' });
      // A merge patch that is not an object replaces the whole document: the result is not an object.
      assert.ok([400, 422].includes(res.status), `${body}: ${res.status} ${res.text}`);
      assert.equal(res.json.kind, 'Status');
      await assertHealthyAndUnchanged();
    }
  });

  it('a JSON patch that is not a list of operations: 400 BadRequest (an operation that fails: 422)', async () => {
    const jsonPatch = { 'Content-Type': 'application/json-patch+json' };
    for (const body of ['{"op":"add"}', '"str"', '1', '["add"]']) {
      const message = await expectStatus(400, 'BadRequest', 'PATCH', `${CM}/keep`, body, jsonPatch);
      assert.match(message, /cannot unmarshal/);
    }
    await expectStatus(422, 'Invalid', 'PATCH', `${CM}/keep`, '[{"op":"remove","path":"/data/nope"}]', jsonPatch);
    await expectStatus(422, 'Invalid', 'PATCH', `${CM}/keep`, '[{"op":"test","path":"/data/a","value":"other"}]', jsonPatch);
  });

  it('a namespace in the body that differs from the URL: 400 BadRequest', async () => {
    await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ metadata: { name: 'm', namespace: 'other' } }));
    await expectStatus(400, 'BadRequest', 'PUT', `${CM}/keep`, JSON.stringify({ metadata: { name: 'keep', namespace: 'other' }, data: { a: '2' } }));
    await expectStatus(400, 'BadRequest', 'PUT', `${CM}/keep`, JSON.stringify({ metadata: { name: 'other-name' }, data: { a: '2' } }));
    await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }));
    await expectStatus(400, 'BadRequest', 'POST', CM, JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'k' } }));
  });

  it('an update with a stale resourceVersion: 409 Conflict', async () => {
    const stale = String(Number(existing.metadata.resourceVersion) - 1);
    const message = await expectStatus(409, 'Conflict', 'PUT', `${CM}/keep`,
      JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: stale }, data: { a: 'changed' } }));
    assert.match(message, /the object has been modified/);
    await expectStatus(409, 'Conflict', 'PATCH', `${CM}/keep`,
      JSON.stringify({ metadata: { resourceVersion: stale }, data: { a: 'changed' } }), { 'Content-Type': 'application/merge-patch+json' });
    await expectStatus(409, 'Conflict', 'DELETE', `${CM}/keep`,
      JSON.stringify({ preconditions: { resourceVersion: stale } }));
    await expectStatus(409, 'AlreadyExists', 'POST', CM, JSON.stringify({ metadata: { name: 'keep' } }));
    await expectStatus(400, 'BadRequest', 'PUT', `${CM}/keep`,
      JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: 'abc' } }));
  });

  it('missing or wrong credentials: 401 Unauthorized, except the health endpoints', async () => {
    for (const auth of ['', 'Bearer ', 'Bearer wrong-token', `Bearer ${server.token}x`, `Basic ${Buffer.from('admin:admin').toString('base64')}`, server.token]) {
      for (const [method, path] of [['GET', CM], ['GET', '/api'], ['GET', '/version'], ['GET', '/metrics'], ['DELETE', `${CM}/keep`], ['POST', CM]] as const) {
        const message = await expectStatus(401, 'Unauthorized', method, path, method === 'POST' ? JSON.stringify({ metadata: { name: 'x' } }) : undefined,
          { Authorization: auth });
        assert.equal(message, 'Unauthorized');
      }
    }
    for (const path of ['/healthz', '/readyz', '/livez']) {
      const res = await raw('GET', path, undefined, { Authorization: '' });
      assert.equal(res.status, 200, path);
      assert.equal(res.text, 'ok');
    }
  });

  it('DELETE on a collection with a bad propagationPolicy: 422 Invalid, nothing deleted', async () => {
    const message = await expectStatus(422, 'Invalid', 'DELETE', `${CM}?propagationPolicy=Bogus`);
    assert.match(message, /Unsupported value: "Bogus"/);
    await expectStatus(422, 'Invalid', 'DELETE', CM, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Bogus' }));
    await expectStatus(422, 'Invalid', 'DELETE', `${CM}/keep?propagationPolicy=Bogus`);
    await expectStatus(400, 'BadRequest', 'DELETE', CM, '{not json');
    await expectStatus(400, 'BadRequest', 'DELETE', CM, '[]');
  });

  it('a method the path does not allow: 405 MethodNotAllowed', async () => {
    await expectStatus(405, 'MethodNotAllowed', 'POST', `${CM}/keep`, JSON.stringify({ metadata: { name: 'keep' } }));
    await expectStatus(405, 'MethodNotAllowed', 'POST', `${DEPLOY}/d/status`, JSON.stringify({ metadata: { name: 'd' } }));
    await expectStatus(405, 'MethodNotAllowed', 'DELETE', `${DEPLOY}/d/scale`);
  });

  it('PUT or PATCH on a collection path: 405 MethodNotAllowed', async () => {
    await expectStatus(405, 'MethodNotAllowed', 'PUT', CM, JSON.stringify({ metadata: { name: 'keep' } }));
    await expectStatus(405, 'MethodNotAllowed', 'PATCH', CM, JSON.stringify({ data: {} }), { 'Content-Type': 'application/merge-patch+json' });
  });

  it('an invalid labelSelector or fieldSelector: 400 BadRequest', async () => {
    for (const selector of ['a in (b', '!!', 'a=b=c', '=x', 'a in b', 'a=' + 'x'.repeat(100)]) {
      await expectStatus(400, 'BadRequest', 'GET', `${CM}?labelSelector=${encodeURIComponent(selector)}`);
    }
    await expectStatus(400, 'BadRequest', 'GET', `${CM}?watch=true&labelSelector=${encodeURIComponent('a in (b')}`);
    await expectStatus(400, 'BadRequest', 'GET', `${CM}?fieldSelector=${encodeURIComponent('spec.nope=1')}`);
    await expectStatus(400, 'BadRequest', 'DELETE', `${CM}?labelSelector=${encodeURIComponent('!!')}`);
  });

  it('limit=abc and other bad list parameters: 400 BadRequest', async () => {
    for (const query of ['limit=abc', 'limit=-1', 'limit=1.5', 'continue=garbage', 'resourceVersion=abc&resourceVersionMatch=Exact',
      'dryRun=Bogus', 'includeObject=Bogus', 'watch=true&resourceVersion=abc']) {
      await expectStatus(400, 'BadRequest', 'GET', `${CM}?${query}`,
        undefined, query.startsWith('includeObject') ? { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } : {});
    }
    await expectStatus(400, 'BadRequest', 'POST', `${CM}?dryRun=Bogus`, JSON.stringify({ metadata: { name: 'dry' } }));
  });

  it('still serves normal requests afterwards', async () => {
    const res = await api(server, 'GET', `${CM}/keep`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.data, { a: '1' });
    assert.equal(res.json.metadata.resourceVersion, existing.metadata.resourceVersion);
  });
});
