import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeKubernetesProtobuf,
  decodeProtobufMessage,
  formatGoDuration,
  ProtobufDecodeError,
  protobufMessageFor,
} from './decode.ts';

// ---- a tiny proto2 encoder ----------------------------------------------------

type Part = Buffer;

function varintBytes(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const key = (field: number, wire: number): Buffer => varintBytes((field << 3) | wire);
/** A varint field. */
const vi = (field: number, value: number | bigint | boolean): Part =>
  Buffer.concat([key(field, 0), varintBytes(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);
/** A length-delimited field (string, bytes or message). */
const ld = (field: number, value: string | Buffer): Part => {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varintBytes(b.length), b]);
};
const msg = (field: number, ...parts: Part[]): Part => ld(field, Buffer.concat(parts));
const entry = (field: number, k: string, v: string | Buffer): Part => msg(field, ld(1, k), ld(2, v));

function envelope(apiVersion: string, kind: string, ...object: Part[]): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, ld(1, apiVersion), ld(2, kind)), msg(2, ...object)]);
}

/** ObjectMeta as gogo writes it: every non-pointer field, zero or not. */
function objectMeta(field: number, name: string, extra: Part[] = []): Part {
  return msg(field, ld(1, name), ld(2, ''), ld(3, ''), ld(4, ''), ld(5, ''), ld(6, ''), vi(7, 0), ld(8, Buffer.alloc(0)), ...extra);
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// Request bodies captured from kubectl v1.32 (`kubectl --server http://127.0.0.1:PORT create ...`).
const CAPTURED = {
  namespace: '6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a002200',
  configmap: '6b3873000a0f0a0276311209436f6e6669674d6170122e0a190a02636d12001a0764656661756c7422002a0032003800420012060a016112016212090a05656d70747912001a002200',
  deploymentReplicas0: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621286010800120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  secret: '6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01611201621a001a002200',
  serviceNodePort: '6b3873000a0d0a02763112075365727669636512680a1f0a0377656212001a0022002a003200380042005a0a0a03617070120377656212410a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
  job: '6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a00320038004200126332610a100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200',
  quota: '6b3873000a130a027631120d5265736f7572636551756f746112460a110a017112001a0022002a00320038004200122f0a0e0a0363707512070a05313530306d0a0f0a066d656d6f727912050a033147690a0c0a04706f647312040a0231301a001a002200',
  token: '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412200a100a0012001a0022002a0032003800420012060a016120901c1a040a0012001a002200',
  selfSubjectAccessReview: '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200',
  pdbPercent: '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123c0a130a0370646212001a0022002a0032003800420012190a09080110001a03353025120c0a0a0a0361707012037765621a0a080018002000280030001a002200',
  priorityClass: '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312220a120a02706312001a0022002a00320038004200100018002201642a054e657665721a002200',
};

describe('decodeKubernetesProtobuf: bodies captured from kubectl 1.32', () => {
  // Expected values: `kubectl create ... --dry-run=client -o json` (minus creationTimestamp: null).
  it('create namespace', () => {
    const d = decodeKubernetesProtobuf(hex(CAPTURED.namespace));
    assert.equal(d.apiVersion, 'v1');
    assert.equal(d.kind, 'Namespace');
    assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: {}, status: {} });
  });

  it('create configmap (empty value kept in data)', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.configmap)).object, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b', empty: '' },
    });
  });

  it('create deployment --replicas=0 keeps the pointer zero', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.deploymentReplicas0)).object, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('create secret: bytes as base64', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.secret)).object, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Yg==' },
    });
  });

  it('create service nodeport: IntOrString targetPort', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.serviceNodePort)).object, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'NodePort' },
      status: { loadBalancer: {} },
    });
  });

  it('create job', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.job)).object, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: {
        template: {
          metadata: {},
          spec: { containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' },
        },
      },
      status: {},
    });
  });

  it('create quota: quantities', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.quota)).object, {
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { cpu: '1500m', memory: '1Gi', pods: '10' } }, status: {},
    });
  });

  it('create token: non-omitempty zero values stay', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.token)).object, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['a'], expirationSeconds: 3600 },
      status: { token: '' },
    });
  });

  it('auth can-i: SelfSubjectAccessReview', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.selfSubjectAccessReview)).object, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    });
  });

  it('create pdb --min-available=50%: string IntOrString, required status ints', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.pdbPercent)).object, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'pdb' },
      spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
  });

  it('create priorityclass --value=0', () => {
    assert.deepEqual(decodeKubernetesProtobuf(hex(CAPTURED.priorityClass)).object, {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc' }, value: 0, description: 'd', preemptionPolicy: 'Never',
    });
  });
});

describe('decodeKubernetesProtobuf: hand-encoded objects', () => {
  it('Namespace with labels, annotations, finalizers', () => {
    const body = envelope('v1', 'Namespace',
      objectMeta(1, 'team-a', [entry(11, 'env', 'prod'), entry(12, 'note', ''), ld(14, 'kubernetes'), ld(14, '')]),
      msg(2, ld(1, 'kubernetes')),
      msg(3, ld(1, '')));
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels: { env: 'prod' }, annotations: { note: '' }, finalizers: ['kubernetes', ''] },
      spec: { finalizers: ['kubernetes'] },
      status: {},
    });
  });

  it('Deployment: resources, IntOrString strategy, probes (inline handler), volumes (inline source), pointer zeros', () => {
    const intOrStr = (field: number, v: number | string): Part =>
      typeof v === 'number' ? msg(field, vi(1, 0), vi(2, v), ld(3, '')) : msg(field, vi(1, 1), vi(2, 0), ld(3, v));
    const container = msg(2,
      ld(1, 'web'), ld(2, 'nginx:1.27'), ld(4, '--port=80'), ld(5, ''),
      msg(6, ld(1, 'http'), vi(2, 0), vi(3, 80), ld(4, 'TCP'), ld(5, '')),
      msg(7, ld(1, 'MODE'), ld(2, 'prod')),
      msg(8, entry(1, 'cpu', ld(1, '500m')), entry(1, 'memory', ld(1, '128Mi')), entry(2, 'cpu', ld(1, '250m'))),
      msg(10, msg(1, msg(2, ld(1, '/healthz'), intOrStr(2, 'http'), ld(3, ''), ld(4, 'HTTP'))), vi(2, 0), vi(3, 1), vi(4, 10), vi(5, 1), vi(6, 3)),
      ld(13, '/dev/termination-log'), ld(14, 'IfNotPresent'), vi(16, false), vi(17, false), vi(18, false));
    const podSpec = msg(2,
      msg(1, ld(1, 'cache'), msg(2, msg(2, ld(1, 'Memory'), msg(2, ld(1, '64Mi'))))),
      container,
      ld(3, 'Always'),
      vi(4, 0), // terminationGracePeriodSeconds: *int64 set to 0
      entry(7, 'disktype', 'ssd'));
    const body = envelope('apps/v1', 'Deployment',
      objectMeta(1, 'web'),
      msg(2,
        vi(1, 3),
        msg(2, entry(1, 'app', 'web')),
        msg(3, objectMeta(1, '', [entry(11, 'app', 'web')]), podSpec),
        msg(4, ld(1, 'RollingUpdate'), msg(2, intOrStr(1, 0), intOrStr(2, '25%'))),
        vi(5, 0), vi(6, 10), vi(7, false), vi(9, 600)),
      msg(3, vi(1, 0), vi(2, 0), vi(3, 0), vi(4, 0), vi(5, 0)));
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
            containers: [{
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port=80'],
              ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'MODE', value: 'prod' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
                timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
              },
              terminationMessagePath: '/dev/termination-log',
              imagePullPolicy: 'IfNotPresent',
            }],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 0,
            nodeSelector: { disktype: 'ssd' },
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  it('Service: ports with numeric and named targetPort, nodePort omitted when zero', () => {
    const port = (name: string, p: number, target: Part, nodePort: number): Part =>
      msg(1, ld(1, name), ld(2, 'TCP'), vi(3, p), target, vi(5, nodePort));
    const body = envelope('v1', 'Service',
      objectMeta(1, 'web', [ld(3, 'default')]),
      msg(2,
        port('http', 80, msg(4, vi(1, 0), vi(2, 8080), ld(3, '')), 0),
        port('metrics', 9090, msg(4, vi(1, 1), vi(2, 0), ld(3, 'metrics')), 30090),
        entry(2, 'app', 'web'), ld(3, '10.0.0.1'), ld(4, 'ClusterIP'), ld(7, 'None'), ld(10, '')),
      msg(3, msg(1)));
    const obj = decodeKubernetesProtobuf(body).object as { spec: Record<string, unknown> };
    assert.deepEqual(obj.spec.ports, [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics', nodePort: 30090 },
    ]);
    assert.deepEqual(obj.spec.selector, { app: 'web' });
    assert.equal(obj.spec.clusterIP, '10.0.0.1');
    assert.equal(obj.spec.type, 'ClusterIP');
    assert.equal(obj.spec.sessionAffinity, 'None');
    assert.ok(!('externalName' in obj.spec));
  });

  it('Secret: binary data, stringData and type', () => {
    const body = envelope('v1', 'Secret',
      objectMeta(1, 'tls'),
      entry(2, 'blob', Buffer.from([0, 1, 2, 255])), entry(2, 'empty', Buffer.alloc(0)),
      ld(3, 'Opaque'), entry(4, 'plain', 'text'), vi(5, false));
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' },
      data: { blob: 'AAEC/w==', empty: '' }, type: 'Opaque', stringData: { plain: 'text' }, immutable: false,
    });
  });

  it('Time, MicroTime, negative ints, packed repeated, unknown fields', () => {
    const lease = envelope('coordination.k8s.io/v1', 'Lease',
      objectMeta(1, 'l', [msg(9, vi(1, 1700000000), vi(2, 123456789)), vi(10, -1), vi(99, 7)]),
      msg(2, ld(1, 'me'), vi(2, 15), msg(3, vi(1, 1700000000), vi(2, 5_000)), msg(4), vi(5, 0)));
    assert.deepEqual(decodeKubernetesProtobuf(lease).object, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', deletionTimestamp: '2023-11-14T22:13:20Z', deletionGracePeriodSeconds: -1 },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2023-11-14T22:13:20.000005Z', leaseTransitions: 0 },
    });
    // A repeated int64 sent packed and unpacked in the same message.
    const packed = Buffer.concat([varintBytes(3), varintBytes(-2), varintBytes(300)]);
    const secCtx = decodeProtobufMessage('k8s.io.api.core.v1.PodSecurityContext', Buffer.concat([ld(4, packed), vi(4, 5), vi(2, -7)]));
    assert.deepEqual(secCtx, { supplementalGroups: [3, -2, 300, 5], runAsUser: -7 });
  });

  it('DeleteOptions in any group version, gracePeriodSeconds 0 kept', () => {
    const body = envelope('v1', 'DeleteOptions', vi(1, 0), ld(4, 'Foreground'), ld(5, 'All'));
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'],
    });
    assert.equal(protobufMessageFor('meta.k8s.io/v1', 'DeleteOptions'), 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    assert.equal(protobufMessageFor('apps/v1', 'DeleteOptions'), 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  });

  it('Eviction with embedded DeleteOptions', () => {
    const body = envelope('policy/v1', 'Eviction', objectMeta(1, 'pod-1', [ld(3, 'default')]), msg(2, vi(1, 30)));
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'pod-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30 },
    });
  });

  it('SubjectAccessReview extra: list wrappers become arrays', () => {
    const body = envelope('authorization.k8s.io/v1', 'SubjectAccessReview',
      objectMeta(1, ''),
      msg(2, ld(3, 'alice'), ld(4, 'devs'), msg(5, ld(1, 'scopes'), msg(2, ld(1, 'a'), ld(1, 'b'))), ld(6, '')));
    const obj = decodeKubernetesProtobuf(body).object as { spec: Record<string, unknown> };
    assert.deepEqual(obj.spec, { user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] } });
  });

  it('ManagedFieldsEntry: FieldsV1 raw JSON', () => {
    const fields = Buffer.from('{"f:metadata":{"f:labels":{}}}');
    const meta = decodeProtobufMessage('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      Buffer.concat([ld(1, 'x'), msg(17, ld(1, 'kubectl'), ld(2, 'Update'), ld(3, 'v1'), msg(4, vi(1, 0)), ld(6, 'FieldsV1'), msg(7, ld(1, fields)), ld(8, ''))]));
    assert.deepEqual(meta, {
      name: 'x',
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
    });
  });

  it('Go duration strings', () => {
    assert.equal(formatGoDuration(0n), '0s');
    assert.equal(formatGoDuration(3_600_000_000_000n), '1h0m0s');
    assert.equal(formatGoDuration(90_000_000_000n), '1m30s');
    assert.equal(formatGoDuration(1_500_000_000n), '1.5s');
    assert.equal(formatGoDuration(1_500_000n), '1.5ms');
    assert.equal(formatGoDuration(2_000n), '2µs');
    assert.equal(formatGoDuration(7n), '7ns');
    assert.equal(formatGoDuration(-5_000_000_000n), '-5s');
    assert.equal(formatGoDuration(3_723_000_000_001n), '1h2m3.000000001s');
  });
});

describe('decodeKubernetesProtobuf: malformed input', () => {
  const bad = (body: Buffer, re: RegExp): void => {
    assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => e instanceof ProtobufDecodeError && re.test(e.message));
  };

  it('rejects a missing magic', () => {
    bad(Buffer.from('{"kind":"Namespace"}'), /magic/);
    bad(Buffer.alloc(0), /magic/);
  });

  it('rejects an unknown apiVersion or kind', () => {
    bad(envelope('v1', 'Nope', objectMeta(1, 'x')), /no protobuf schema for v1, Kind=Nope/);
    bad(envelope('example.com/v1', 'Widget'), /no protobuf schema/);
    bad(envelope('', ''), /missing apiVersion or kind/);
  });

  it('rejects a truncated varint, a length past the end and a bad wire type', () => {
    bad(Buffer.concat([envelope('v1', 'Namespace'), Buffer.from([0x08, 0x80])]), /truncated varint/);
    bad(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x7f, 0x00])]), /past the end/);
    bad(envelope('v1', 'Namespace', vi(1, 5)), /wire type 0, expected 2/);
    bad(envelope('v1', 'Namespace', Buffer.from([0x0b])), /wire type 3/);
    bad(envelope('v1', 'Namespace', Buffer.concat([key(1, 2), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])), /varint/);
  });

  it('rejects invalid embedded JSON', () => {
    bad(envelope('v1', 'Namespace', objectMeta(1, 'x', [msg(17, msg(7, ld(1, '{nope')))])), /FieldsV1: embedded JSON is invalid/);
  });

  it('rejects nesting deeper than 100', () => {
    // Nested RawExtension envelopes: each one is a full protobuf object inside the previous.
    let inner: Buffer = envelope('v1', 'Namespace', objectMeta(1, 'leaf'));
    for (let i = 0; i < 120; i++) {
      // ControllerRevision.data is a RawExtension; apps/v1 ControllerRevision { metadata=1, data=2, revision=3 }
      inner = envelope('apps/v1', 'ControllerRevision', objectMeta(1, `r${i}`), msg(2, ld(1, inner)));
    }
    bad(inner, /nesting deeper than 100/);
  });

  it('never loops or throws anything but ProtobufDecodeError on mutated bodies', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const bodies = Object.values(CAPTURED).map(hex);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(bodies[i % bodies.length]);
      const edits = 1 + rand(4);
      for (let j = 0; j < edits; j++) b[4 + rand(b.length - 4)] = rand(256);
      const cut = rand(3) === 0 ? b.subarray(0, 4 + rand(b.length - 4)) : b;
      try {
        decodeKubernetesProtobuf(cut);
      } catch (e) {
        if (!(e instanceof ProtobufDecodeError)) throw e;
      }
    }
  });
});
