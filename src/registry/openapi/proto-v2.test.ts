import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import type { ResourceInfo } from '../types.ts';
import { openAPIV2Document, openAPIV2Protobuf } from './documents.ts';
import { encodeOpenAPIV2 } from './proto-v2.ts';

// A tiny protobuf reader: a message is a list of (field, value) pairs, length-delimited
// values kept as bytes for the caller to decode as string or sub-message.
type Field = { field: number; wire: number; int?: bigint; bytes?: Uint8Array; double?: number };

function decode(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ field, wire, int: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, bytes: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) {
      out.push({ field, wire, double: new DataView(buf.buffer, buf.byteOffset + i, 8).getFloat64(0, true) });
      i += 8;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

class Msg {
  readonly fields: Field[];
  constructor(bytes: Uint8Array) { this.fields = decode(bytes); }
  all(n: number): Msg[] { return this.fields.filter((f) => f.field === n).map((f) => new Msg(f.bytes!)); }
  one(n: number): Msg { const m = this.all(n); assert.equal(m.length, 1, `field ${n}`); return m[0]; }
  has(n: number): boolean { return this.fields.some((f) => f.field === n); }
  str(n: number): string { const f = this.fields.find((x) => x.field === n); return f ? new TextDecoder().decode(f.bytes) : ''; }
  strs(n: number): string[] { return this.fields.filter((f) => f.field === n).map((f) => new TextDecoder().decode(f.bytes)); }
  bool(n: number): boolean { return this.fields.some((f) => f.field === n && f.int === 1n); }
  /** repeated Named* { name = 1; value = 2 } as a map. */
  named(n: number): Map<string, Msg> { return new Map(this.all(n).map((m) => [m.str(1), m.one(2)])); }
}

/** Vendor extensions (repeated NamedAny, Any.yaml = 2) parsed back from YAML. */
function extensions(m: Msg, n: number): Record<string, unknown> {
  return Object.fromEntries([...m.named(n)].map(([k, any]) => [k, parseYaml(any.str(2))]));
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const RESOURCES: ResourceInfo[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', listKind: 'DeploymentList',
    namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: VERBS, subresources: ['status', 'scale'],
    definition: 'io.k8s.api.apps.v1.Deployment', storage: true },
];

describe('OpenAPI v2 protobuf (gnostic openapi_v2.Document)', () => {
  const json = JSON.parse(openAPIV2Document(RESOURCES).body);
  const doc = new Msg(openAPIV2Protobuf(RESOURCES).body);

  it('carries the document header', () => {
    assert.equal(doc.str(1), '2.0');
    assert.equal(doc.one(2).str(1), 'Kubernetes');
    assert.equal(doc.one(2).str(2), json.info.version);
    const security = doc.one(13).named(1).get('BearerToken')!.one(2);
    assert.equal(security.str(1), 'apiKey');
    assert.deepEqual(doc.one(12).named(1).get('BearerToken')!.strs(1), []);
  });

  it('round-trips paths, operations and parameters', () => {
    const paths = doc.one(8).named(2);
    assert.deepEqual([...paths.keys()], Object.keys(json.paths));
    const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
    const patch = item.one(8);
    assert.equal(patch.str(5), 'patchAppsV1NamespacedDeployment');
    assert.deepEqual(patch.strs(1), ['apps_v1']);
    assert.deepEqual(extensions(patch, 13), {
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: 'apps', kind: 'Deployment', version: 'v1' },
    });
    const params = patch.all(8).map((p) => p.one(1));
    const body = params.find((p) => p.has(1))!.one(1);
    assert.equal(body.str(2), 'body');
    assert.equal(body.one(5).str(1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const query = params.filter((p) => p.has(2)).map((p) => p.one(2).one(3));
    assert.deepEqual(query.map((q) => `${q.str(2)}:${q.str(4)}:${q.str(6)}`),
      ['query:dryRun:string', 'query:fieldManager:string', 'query:fieldValidation:string', 'query:force:boolean']);
    const pathParams = item.all(9).map((p) => p.one(1).one(2));
    assert.equal(pathParams[0].one(4).str(4), 'name');
    assert.equal(pathParams[0].one(4).bool(1), true);
    const ok = patch.one(9).named(1).get('200')!.one(1);
    assert.equal(ok.str(1), 'OK');
    assert.equal(ok.one(2).one(1).str(1), '#/definitions/io.k8s.api.apps.v1.Deployment');
  });

  it('round-trips definitions with types, references and vendor extensions', () => {
    const defs = doc.one(9).named(1);
    assert.deepEqual([...defs.keys()], Object.keys(json.definitions));
    const deployment = defs.get('io.k8s.api.apps.v1.Deployment')!;
    assert.deepEqual(deployment.one(22).strs(1), ['object']);
    assert.deepEqual(extensions(deployment, 31), { 'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }] });
    const specRef = deployment.one(25).named(1).get('spec')!;
    assert.equal(specRef.str(1), '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    assert.ok(specRef.str(4).length > 0, 'description kept beside $ref');
    const podSpec = defs.get('io.k8s.api.core.v1.PodSpec')!;
    assert.deepEqual(podSpec.strs(19), json.definitions['io.k8s.api.core.v1.PodSpec'].required);
    const containers = podSpec.one(25).named(1).get('containers')!;
    assert.deepEqual(containers.one(22).strs(1), ['array']);
    assert.equal(containers.one(23).one(1).str(1), '#/definitions/io.k8s.api.core.v1.Container');
    assert.deepEqual(extensions(containers, 31), { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    const labels = defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.one(25).named(1).get('labels')!;
    assert.deepEqual(labels.one(21).one(1).one(22).strs(1), ['string']);
    const policy = defs.get('io.k8s.api.core.v1.Container')!.one(25).named(1).get('imagePullPolicy')!;
    assert.deepEqual(policy.all(20).map((a) => parseYaml(a.str(2))), json.definitions['io.k8s.api.core.v1.Container'].properties.imagePullPolicy.enum);
  });

  it('encodes scalars, booleans in oneofs and empty property sets', () => {
    const m = new Msg(encodeOpenAPIV2({ definitions: { X: { type: 'object', properties: {}, additionalProperties: false, maximum: 1.5, maxLength: 3 } } }));
    const x = m.one(9).named(1).get('X')!;
    assert.ok(x.has(25), 'empty properties still present');
    assert.equal(x.one(21).fields[0].int, 0n, 'additionalProperties: false written');
    assert.equal(x.fields.find((f) => f.field === 7)!.double, 1.5);
    assert.equal(x.fields.find((f) => f.field === 11)!.int, 3n);
  });
});
