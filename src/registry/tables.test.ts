import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsFor, humanDuration, jsonPath, registerPrinter, rowFor, toTable } from './tables.ts';
import type { ResourceInfo, TableColumn } from './types.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** An RFC3339 timestamp `ms` before NOW. */
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: ago(5 * MINUTE), ...extra });

function res(group: string, kind: string, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group, version: 'v1', kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), listKind: `${kind}List`,
    namespaced: true, shortNames: [], categories: [], verbs: [], subresources: [], storage: true,
    definition: `io.k8s.api.${group || 'core'}.v1.${kind}`, ...extra,
  };
}

const names = (cols: TableColumn[]) => cols.map((c) => c.name);
const shown = (cols: TableColumn[]) => cols.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());
const row = (group: string, kind: string, obj: unknown) => rowFor(res(group, kind), obj, NOW);

test('humanDuration matches apimachinery', () => {
  const cases: Array<[number, string]> = [
    [SECOND, '1s'], [70 * SECOND, '70s'], [190 * SECOND, '3m10s'], [70 * MINUTE, '70m'], [47 * HOUR, '47h'],
    [49 * HOUR, '2d1h'], [(8 * 24 + 2) * HOUR, '8d'], [367 * DAY, '367d'], [(365 * 2 * 24 + 25) * HOUR, '2y1d'],
    [(365 * 8 * 24 + 2) * HOUR, '8y'],
    // boundaries
    [-2 * SECOND, '<invalid>'], [-2 * SECOND + 0.000001, '0s'], [0, '0s'], [SECOND - 1, '0s'],
    [2 * MINUTE - 1, '119s'], [2 * MINUTE, '2m'], [2 * MINUTE + SECOND, '2m1s'], [10 * MINUTE - 1, '9m59s'],
    [10 * MINUTE, '10m'], [10 * MINUTE + SECOND, '10m'], [3 * HOUR - 1, '179m'], [3 * HOUR, '3h'],
    [3 * HOUR + MINUTE, '3h1m'], [8 * HOUR - 1, '7h59m'], [8 * HOUR, '8h'], [8 * HOUR + 59 * MINUTE, '8h'],
    [2 * DAY - 1, '47h'], [2 * DAY, '2d'], [2 * DAY + HOUR, '2d1h'], [8 * DAY - 1, '7d23h'], [8 * DAY, '8d'],
    [8 * DAY + 23 * HOUR, '8d'], [2 * 365 * DAY - 1, '729d'], [2 * 365 * DAY, '2y'], [2 * 365 * DAY + 23 * HOUR, '2y'],
    [2 * 365 * DAY + 23 * HOUR + 59 * MINUTE, '2y'], [2 * 365 * DAY + DAY - 1, '2y'], [2 * 365 * DAY + DAY, '2y1d'],
    [3 * 365 * DAY, '3y'], [7 * 365 * DAY, '7y'], [8 * 365 * DAY - 1, '7y364d'], [8 * 365 * DAY, '8y'],
    [8 * 365 * DAY + 364 * DAY, '8y'], [9 * 365 * DAY, '9y'],
    // the examples from the brief
    [5 * SECOND, '5s'], [250 * SECOND, '4m10s'], [3 * HOUR, '3h'], [53 * HOUR, '2d5h'], [10 * 365 * DAY, '10y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('built-in columns', () => {
  const expect: Array<[string, string, string[]]> = [
    ['', 'Namespace', ['NAME', 'STATUS', 'AGE']],
    ['', 'ConfigMap', ['NAME', 'DATA', 'AGE']],
    ['', 'Secret', ['NAME', 'TYPE', 'DATA', 'AGE']],
    ['', 'ServiceAccount', ['NAME', 'SECRETS', 'AGE']],
    ['', 'Service', ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']],
    ['', 'Pod', ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']],
    ['', 'Endpoints', ['NAME', 'ENDPOINTS', 'AGE']],
    ['', 'Node', ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']],
    ['', 'Event', ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']],
    ['', 'ResourceQuota', ['NAME', 'REQUEST', 'LIMIT', 'AGE']],
    ['', 'PersistentVolumeClaim', ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']],
    ['apps', 'Deployment', ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']],
    ['apps', 'StatefulSet', ['NAME', 'READY', 'AGE']],
    ['apps', 'DaemonSet', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']],
    ['apps', 'ReplicaSet', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']],
    ['apps', 'ControllerRevision', ['NAME', 'CONTROLLER', 'REVISION', 'AGE']],
    ['batch', 'Job', ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']],
    ['batch', 'CronJob', ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']],
    ['rbac.authorization.k8s.io', 'Role', ['NAME', 'CREATED AT']],
    ['rbac.authorization.k8s.io', 'ClusterRole', ['NAME', 'CREATED AT']],
    ['rbac.authorization.k8s.io', 'RoleBinding', ['NAME', 'ROLE', 'AGE']],
    ['rbac.authorization.k8s.io', 'ClusterRoleBinding', ['NAME', 'ROLE', 'AGE']],
    ['networking.k8s.io', 'NetworkPolicy', ['NAME', 'POD-SELECTOR', 'AGE']],
    ['networking.k8s.io', 'Ingress', ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']],
    ['networking.k8s.io', 'IngressClass', ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']],
    ['coordination.k8s.io', 'Lease', ['NAME', 'HOLDER', 'AGE']],
    ['policy', 'PodDisruptionBudget', ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']],
    ['', 'LimitRange', ['NAME', 'CREATED AT']],
    ['apiextensions.k8s.io', 'CustomResourceDefinition', ['NAME', 'CREATED AT']],
  ];
  for (const [group, kind, want] of expect) assert.deepEqual(shown(columnsFor(res(group, kind))), want, kind);

  assert.deepEqual(names(columnsFor(res('', 'Pod'))).slice(5), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.deepEqual(names(columnsFor(res('apps', 'Deployment'))).slice(5), ['Containers', 'Images', 'Selector']);
  assert.deepEqual(names(columnsFor(res('', 'Service'))).slice(6), ['Selector']);
  assert.deepEqual(names(columnsFor(res('rbac.authorization.k8s.io', 'RoleBinding'))).slice(3), ['Users', 'Groups', 'ServiceAccounts']);

  const [nameCol, , , restarts] = columnsFor(res('', 'Pod'));
  assert.equal(nameCol.format, 'name');
  assert.match(nameCol.description, /^Name must be unique within a namespace/);
  assert.equal(restarts.type, 'string');
  const created = columnsFor(res('', 'LimitRange'))[1];
  assert.deepEqual([created.type, created.priority], ['date', 0]);
  assert.match(created.description, /^CreationTimestamp is a timestamp/);
  for (const c of columnsFor(res('apps', 'DaemonSet')).slice(1, 6)) assert.equal(c.type, 'integer');
  assert.equal(columnsFor(res('batch', 'CronJob'))[3].type, 'boolean');
});

test('every built-in row has one cell per column', () => {
  const kinds: Array<[string, string]> = [
    ['', 'Namespace'], ['', 'ConfigMap'], ['', 'Secret'], ['', 'ServiceAccount'], ['', 'Service'], ['', 'Pod'],
    ['', 'Endpoints'], ['', 'Node'], ['', 'Event'], ['', 'ResourceQuota'], ['', 'PersistentVolumeClaim'],
    ['', 'ReplicationController'], ['apps', 'Deployment'], ['apps', 'StatefulSet'], ['apps', 'DaemonSet'],
    ['apps', 'ReplicaSet'], ['apps', 'ControllerRevision'], ['batch', 'Job'], ['batch', 'CronJob'],
    ['rbac.authorization.k8s.io', 'RoleBinding'], ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
    ['rbac.authorization.k8s.io', 'Role'], ['networking.k8s.io', 'NetworkPolicy'], ['networking.k8s.io', 'Ingress'],
    ['networking.k8s.io', 'IngressClass'], ['coordination.k8s.io', 'Lease'], ['policy', 'PodDisruptionBudget'],
    ['events.k8s.io', 'Event'],
  ];
  for (const [group, kind] of kinds) {
    const r = res(group, kind);
    assert.equal(rowFor(r, { metadata: meta('x') }, NOW).length, columnsFor(r).length, kind);
    assert.equal(rowFor(r, {}, NOW).length, columnsFor(r).length, `${kind} (empty object)`);
  }
});

test('core kinds', () => {
  assert.deepEqual(row('', 'Namespace', { metadata: meta('default'), status: { phase: 'Active' } }), ['default', 'Active', '5m']);
  assert.deepEqual(row('', 'ConfigMap', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cm', 3, '5m']);
  assert.deepEqual(row('', 'Secret', { metadata: meta('s'), type: 'Opaque', data: { a: 'eA==' } }), ['s', 'Opaque', 1, '5m']);
  assert.deepEqual(row('', 'ServiceAccount', { metadata: meta('default') }), ['default', 0, '5m']);
  assert.deepEqual(row('coordination.k8s.io', 'Lease', { metadata: meta('l'), spec: { holderIdentity: 'me' } }), ['l', 'me', '5m']);
  // A missing creationTimestamp is a zero time.
  assert.deepEqual(row('', 'Namespace', { metadata: { name: 'x' } }), ['x', '', '<unknown>']);
});

test('services', () => {
  const svc = (spec: object, status: object = {}) => row('', 'Service', { metadata: meta('svc'), spec, status });
  assert.deepEqual(
    svc({ type: 'ClusterIP', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, protocol: 'TCP' }], selector: { b: '2', a: '1' } }),
    ['svc', 'ClusterIP', '10.0.0.1', '<none>', '80/TCP', '5m', 'a=1,b=2'],
  );
  assert.deepEqual(
    svc({ type: 'NodePort', clusterIPs: ['10.0.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }),
    ['svc', 'NodePort', '10.0.0.2', '<none>', '80:30080/TCP,53/UDP', '5m', '<none>'],
  );
  assert.deepEqual(svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], ports: [] }).slice(3, 5), ['<pending>', '<none>']);
  assert.equal(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } })[3],
    '5.6.7.8,lb.example.com');
  assert.equal(svc({ type: 'LoadBalancer', externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } })[3], '1.1.1.1,9.9.9.9');
  assert.deepEqual(svc({ type: 'ExternalName', externalName: 'example.com' }).slice(1, 4), ['ExternalName', '<none>', 'example.com']);
  assert.deepEqual(svc({ clusterIP: 'None', clusterIPs: ['None'] }).slice(1, 4), ['ClusterIP', 'None', '<none>']);
});

test('pods', () => {
  const pod = (status: object, spec: object = {}, extra: Record<string, unknown> = {}) =>
    row('', 'Pod', { metadata: meta('p', extra), spec: { containers: [{ name: 'a' }, { name: 'b' }], ...spec }, status });
  const running = { state: { running: {} }, ready: true, restartCount: 0 };
  assert.deepEqual(
    pod({ phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], containerStatuses: [running, running] }, { nodeName: 'n1' }),
    ['p', '2/2', 'Running', '0', '5m', '10.1.0.5', 'n1', '<none>', '<none>'],
  );
  assert.deepEqual(pod({ phase: 'Pending' }), ['p', '0/2', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  const crashing = {
    state: { waiting: { reason: 'CrashLoopBackOff' } }, ready: false, restartCount: 3,
    lastState: { terminated: { exitCode: 1, finishedAt: ago(90 * SECOND) } },
  };
  assert.deepEqual(pod({ phase: 'Running', containerStatuses: [running, crashing] }).slice(1, 4), ['1/2', 'CrashLoopBackOff', '3 (90s ago)']);
  assert.deepEqual(pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }] }).slice(2, 3), ['Signal:9']);
  assert.deepEqual(pod({ phase: 'Running', containerStatuses: [running, running] }, {}, { deletionTimestamp: ago(0) })[2], 'Terminating');
  assert.equal(pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(0) })[2], 'Unknown');
  assert.equal(pod({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })[2], 'Completed');
  assert.equal(pod({ phase: 'Pending', reason: 'Evicted' })[2], 'Evicted');
  assert.equal(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })[2], 'SchedulingGated');

  // Init containers.
  const inits = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
  assert.equal(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }] }, inits)[2], 'Init:0/2');
  assert.equal(pod({ phase: 'Pending', initContainerStatuses: [
    { name: 'i1', state: { terminated: { exitCode: 0 } } },
    { name: 'i2', state: { waiting: { reason: 'ImagePullBackOff' } } },
  ] }, inits)[2], 'Init:ImagePullBackOff');
  assert.equal(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] }, inits)[2], 'Init:ExitCode:2');
  // A restartable (sidecar) init container counts towards READY once started.
  const sidecar = { initContainers: [{ name: 'side', restartPolicy: 'Always' }] };
  assert.deepEqual(pod({
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [{ name: 'side', started: true, ready: true, state: { running: {} }, restartCount: 1 }],
    containerStatuses: [running, running],
  }, sidecar).slice(1, 4), ['3/3', 'Running', '1']);

  // Readiness gates.
  assert.equal(pod({ phase: 'Running', conditions: [{ type: 'g1', status: 'True' }] },
    { readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] })[8], '1/2');

  // Completed pods carry a row condition.
  const table = toTable(res('', 'Pod'), [{ metadata: meta('done'), status: { phase: 'Succeeded' } }], { now: NOW });
  assert.deepEqual(table.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('workloads', () => {
  const template = { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] } };
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'canary', operator: 'DoesNotExist' }] };
  assert.deepEqual(
    row('apps', 'Deployment', { metadata: meta('web'), spec: { replicas: 2, selector, template }, status: { replicas: 2, readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } }),
    ['web', '1/2', 2, 1, '5m', 'web,log', 'nginx:1,busybox', 'app=web,!canary,tier in (a,b)'],
  );
  assert.deepEqual(row('apps', 'Deployment', { metadata: meta('d'), spec: { replicas: 0 } }).slice(1, 4), ['0/0', 0, 0]);
  assert.equal(row('apps', 'Deployment', { metadata: meta('d'), spec: { selector: { matchExpressions: [{ key: 'k', operator: 'In', values: [] }] } } })[7], '<invalid>');
  assert.deepEqual(row('apps', 'StatefulSet', { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 3 } }),
    ['db', '3/3', '5m', 'web,log', 'nginx:1,busybox']);
  assert.deepEqual(
    row('apps', 'DaemonSet', { metadata: meta('ds'), spec: { selector: { matchLabels: { app: 'ds' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 } }),
    ['ds', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'web,log', 'nginx:1,busybox', 'app=ds'],
  );
  assert.deepEqual(row('apps', 'ReplicaSet', { metadata: meta('rs'), spec: { replicas: 3, selector: {}, template }, status: { replicas: 3, readyReplicas: 2 } }),
    ['rs', 3, 3, 2, '5m', 'web,log', 'nginx:1,busybox', '<none>']);
  assert.deepEqual(
    row('apps', 'ControllerRevision', { metadata: meta('web-5d8f', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }] }), revision: 4 }),
    ['web-5d8f', 'statefulset.apps/web', 4, '5m'],
  );
  assert.equal(row('apps', 'ControllerRevision', { metadata: meta('x'), revision: 1 })[1], '<none>');
});

test('jobs and cronjobs', () => {
  const template = { spec: { containers: [{ name: 'pi', image: 'perl' }] } };
  const job = (spec: object, status: object, extra: Record<string, unknown> = {}) => row('batch', 'Job', { metadata: meta('pi', extra), spec: { template, ...spec }, status });
  assert.deepEqual(
    job({ completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } },
      { succeeded: 1, startTime: ago(5 * MINUTE), completionTime: ago(5 * MINUTE - 12 * SECOND), conditions: [{ type: 'Complete', status: 'True' }] }),
    ['pi', 'Complete', '1/1', '12s', '5m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u'],
  );
  assert.deepEqual(job({ parallelism: 3 }, { startTime: ago(30 * SECOND) }).slice(1, 4), ['Running', '0/1 of 3', '30s']);
  assert.deepEqual(job({}, {}).slice(1, 4), ['Running', '0/1', '']);
  assert.equal(job({}, { conditions: [{ type: 'Failed', status: 'True' }] })[1], 'Failed');
  assert.equal(job({}, { conditions: [{ type: 'Suspended', status: 'True' }] })[1], 'Suspended');
  assert.equal(job({}, {}, { deletionTimestamp: ago(0) })[1], 'Terminating');

  const cj = row('batch', 'CronJob', {
    metadata: meta('nightly'),
    spec: { schedule: '0 0 * * *', suspend: false, jobTemplate: { spec: { template } } },
    status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(3 * HOUR) },
  });
  assert.deepEqual(cj, ['nightly', '0 0 * * *', '<none>', 'False', 1, '3h', '5m', 'pi', 'perl', '<none>']);
  assert.deepEqual(row('batch', 'CronJob', { metadata: meta('c'), spec: { schedule: '@hourly', timeZone: 'Etc/UTC' } }).slice(2, 6),
    ['Etc/UTC', '<unset>', 0, '<none>']);
});

test('quota, events, endpoints, nodes', () => {
  assert.deepEqual(
    row('', 'ResourceQuota', { metadata: meta('q'), status: {
      hard: { 'requests.cpu': '1', pods: '10', 'limits.memory': '2Gi', 'limits.cpu': '2' },
      used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1' },
    } }),
    ['q', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 1/2, limits.memory: 0/2Gi', '5m'],
  );

  assert.deepEqual(
    row('', 'Event', {
      metadata: meta('web.17a'), type: 'Normal', reason: 'Scheduled', message: ' Successfully assigned default/web to n1\n',
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{web}' },
      source: { component: 'default-scheduler' }, firstTimestamp: ago(10 * MINUTE), lastTimestamp: ago(2 * MINUTE), count: 4,
    }),
    ['2m', 'Normal', 'Scheduled', 'pod/web', 'spec.containers{web}', 'default-scheduler', 'Successfully assigned default/web to n1', '10m', 4, 'web.17a'],
  );
  // New-style events: no first/last timestamps, eventTime and series instead.
  assert.deepEqual(
    row('', 'Event', {
      metadata: meta('e2'), type: 'Warning', reason: 'BackOff', message: 'm', involvedObject: { kind: 'Node' },
      firstTimestamp: null, lastTimestamp: null, eventTime: '2024-06-01T11:59:00.123456Z', reportingComponent: 'kubelet', reportingInstance: 'n1',
    }),
    ['59s', 'Warning', 'BackOff', 'node', '', 'kubelet, n1', 'm', '59s', 1, 'e2'],
  );
  assert.deepEqual(
    row('events.k8s.io', 'Event', {
      metadata: meta('e3'), type: 'Normal', reason: 'Pulled', note: 'pulled', regarding: { kind: 'Pod', name: 'p' },
      eventTime: ago(20 * MINUTE), series: { count: 7, lastObservedTime: ago(MINUTE) }, reportingController: 'kubelet',
    }),
    ['60s', 'Normal', 'Pulled', 'pod/p', '', 'kubelet', 'pulled', '20m', 7, 'e3'],
  );

  assert.equal(row('', 'Endpoints', { metadata: meta('ep') })[1], '<none>');
  assert.equal(row('', 'Endpoints', { metadata: meta('ep'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 80 }] }] })[1],
    '10.0.0.1:80,[fd00::1]:80');
  assert.equal(row('', 'Endpoints', { metadata: meta('ep'), subsets: [
    { addresses: [{ ip: '1.1.1.1' }, { ip: '1.1.1.2' }], ports: [{ port: 80 }, { port: 443 }] },
    { addresses: [{ ip: '2.2.2.2' }] },
  ] })[1], '1.1.1.1:80,1.1.1.2:80,1.1.1.1:443 + 2 more...');

  assert.deepEqual(
    row('', 'Node', {
      metadata: meta('n1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '', 'kubernetes.io/role': 'edge' } }),
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.0.2' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Ubuntu', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
      },
    }),
    ['n1', 'Ready,SchedulingDisabled', 'control-plane,edge,master', '5m', 'v1.30.0', '192.168.0.2', '<none>', 'Ubuntu', '6.1', 'containerd://1.7'],
  );
  assert.deepEqual(row('', 'Node', { metadata: meta('n2') }).slice(1, 3), ['Unknown', '<none>']);
  assert.equal(row('', 'Node', { metadata: meta('n3'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })[1], 'NotReady');
});

test('rbac, networking, policy, storage', () => {
  assert.deepEqual(
    row('rbac.authorization.k8s.io', 'RoleBinding', { metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [
      { kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'bot' }, { kind: 'User', name: 'bob' },
    ] }),
    ['rb', 'ClusterRole/view', '5m', 'alice, bob', 'devs', 'ci/bot'],
  );
  assert.deepEqual(row('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'r', creationTimestamp: '2024-05-01T10:00:00Z' } }),
    ['r', '2024-05-01T10:00:00Z']);
  assert.deepEqual(row('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'c', creationTimestamp: '2024-05-01T10:00:00.5+02:00' } }),
    ['c', '2024-05-01T08:00:00Z']);
  assert.deepEqual(row('', 'LimitRange', { metadata: { name: 'l' } }), ['l', '0001-01-01T00:00:00Z']);

  assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta('np'), spec: { podSelector: {} } }), ['np', '<none>', '5m']);
  assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta('np'), spec: { podSelector: { matchLabels: { role: 'db' } } } }),
    ['np', 'role=db', '5m']);
  assert.deepEqual(
    row('networking.k8s.io', 'Ingress', { metadata: meta('ing'), spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, {}], tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } }),
    ['ing', 'nginx', 'a.example.com', '203.0.113.10', '80, 443', '5m'],
  );
  assert.deepEqual(row('networking.k8s.io', 'Ingress', { metadata: meta('ing'), spec: {} }), ['ing', '<none>', '*', '', '80', '5m']);
  assert.equal(row('networking.k8s.io', 'Ingress', { metadata: meta('ing'), spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } })[2],
    'a,b,c + 2 more...');
  assert.deepEqual(
    row('networking.k8s.io', 'IngressClass', { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }),
    ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '5m'],
  );
  assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta('pdb'), spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }),
    ['pdb', '2', 'N/A', 1, '5m']);
  assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta('pdb'), spec: { maxUnavailable: '25%' } }), ['pdb', 'N/A', '25%', 0, '5m']);
  assert.deepEqual(
    row('', 'PersistentVolumeClaim', { metadata: meta('data'), spec: { volumeName: 'pv-1', storageClassName: 'standard', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } }),
    ['data', 'Bound', 'pv-1', '10Gi', 'RWO,RWX', 'standard', '<unset>', '5m', 'Filesystem'],
  );
  assert.deepEqual(row('', 'PersistentVolumeClaim', { metadata: meta('data', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }), spec: {}, status: { phase: 'Pending' } }),
    ['data', 'Pending', '', '', '', 'old', '<unset>', '5m', '<unset>']);
});

test('JSONPath', () => {
  const obj = {
    metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: { replicas: 3, containers: [{ name: 'a', image: 'ia' }, { name: 'b', image: 'ib' }], empty: null },
    status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True', count: 2 }] },
  };
  assert.deepEqual(jsonPath(obj, '.spec.replicas'), [3]);
  assert.deepEqual(jsonPath(obj, '{.spec.replicas}'), [3]);
  assert.deepEqual(jsonPath(obj, '.spec.missing'), []);
  assert.deepEqual(jsonPath(obj, '.spec.missing.deeper'), []);
  assert.deepEqual(jsonPath(obj, '.spec.empty'), [null]);
  assert.deepEqual(jsonPath(obj, '.spec.containers[1].name'), ['b']);
  assert.deepEqual(jsonPath(obj, '.spec.containers[-1].image'), ['ib']);
  assert.deepEqual(jsonPath(obj, '.spec.containers[*].name'), ['a', 'b']);
  assert.deepEqual(jsonPath(obj, '.spec.containers[0:1].name'), ['a']);
  assert.deepEqual(jsonPath(obj, '.spec.containers.*.image'), ['ia', 'ib']);
  assert.deepEqual(jsonPath(obj, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(jsonPath(obj, ".status.conditions[?(@.type == 'Synced')].status"), ['False']);
  assert.deepEqual(jsonPath(obj, '.status.conditions[?(@.type!="Ready")].type'), ['Synced']);
  assert.deepEqual(jsonPath(obj, '.status.conditions[?(@.count)].type'), ['Ready']);
  assert.deepEqual(jsonPath(obj, '.status.conditions[?(@.count>1)].type'), ['Ready']);
  assert.deepEqual(jsonPath(obj, ".metadata.labels['app.kubernetes.io/name']"), ['web']);
  assert.deepEqual(jsonPath(obj, '.metadata.labels.app\\.kubernetes\\.io/name'), ['web']);
  assert.deepEqual(jsonPath(obj, '..image'), ['ia', 'ib']);
  assert.throws(() => jsonPath(obj, '.spec.containers[5]'), /out of bounds/);
  assert.throws(() => jsonPath(obj, '.spec.containers[x]'));
  assert.throws(() => jsonPath(obj, '.spec.replicas[?(@.a)]'));
});

test('custom resources', () => {
  const col = (name: string, type: string, jsonPath: string, extra: Partial<TableColumn> = {}): TableColumn =>
    ({ name, type, format: '', description: '', priority: 0, jsonPath, ...extra });
  const crd = res('example.com', 'Widget', {
    definition: undefined,
    crdSchema: { type: 'object' },
    printerColumns: [
      col('Replicas', 'integer', '.spec.replicas'),
      col('Ready', 'string', '.status.conditions[?(@.type=="Ready")].status'),
      col('Ratio', 'number', '.spec.ratio'),
      col('Paused', 'boolean', '.spec.paused', { priority: 1 }),
      col('Images', 'string', '.spec.images'),
      col('Owner', 'string', '.spec.owner', { description: 'Who owns it' }),
      col('Age', 'date', '.metadata.creationTimestamp'),
      col('Scale', 'string', '.spec.scale'),
      col('Started', 'date', '.status.startedAt'),
    ],
  });
  const cols = columnsFor(crd);
  assert.deepEqual(names(cols), ['Name', 'Replicas', 'Ready', 'Ratio', 'Paused', 'Images', 'Owner', 'Age', 'Scale', 'Started']);
  assert.equal(cols[1].description, 'Custom resource definition column (in JSONPath format): .spec.replicas');
  assert.equal(cols[6].description, 'Who owns it');
  assert.equal(cols[4].priority, 1);

  const widget = {
    metadata: meta('w1'),
    spec: { replicas: 2.7, ratio: 0.5, paused: true, images: ['a', 'b'], owner: null, scale: { max: 3, min: 1 } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], startedAt: 'yesterday' },
  };
  assert.deepEqual(rowFor(crd, widget, NOW), ['w1', 2, 'True', 0.5, true, '["a","b"]', '<no value>', '5m', '{"max":3,"min":1}', '<invalid>']);
  // Missing values and type mismatches are null cells.
  assert.deepEqual(rowFor(crd, { metadata: { name: 'w2' }, spec: { replicas: 'many', paused: 'yes' } }, NOW),
    ['w2', null, null, null, null, null, null, null, null, null]);

  // Without printer columns a CRD shows NAME and AGE.
  const plain = res('example.com', 'Gadget', { definition: undefined, crdSchema: { type: 'object' }, printerColumns: [] });
  const plainCols = columnsFor(plain);
  assert.deepEqual(plainCols.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
  assert.deepEqual(rowFor(plain, { metadata: meta('g') }, NOW), ['g', '5m']);
  // A jsonPath never leaks into the served column definitions.
  const table = toTable(crd, [widget], { now: NOW });
  assert.ok(table.columnDefinitions.every((c) => !('jsonPath' in c)));
});

test('toTable', () => {
  const r = res('', 'ConfigMap');
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm', { namespace: 'default', resourceVersion: '7', labels: { a: 'b' } }), data: { k: 'v' } };
  const table = toTable(r, [cm], { includeObject: 'Metadata', now: NOW, listMeta: { resourceVersion: '42', continue: 'abc' } });
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.metadata, { resourceVersion: '42', continue: 'abc' });
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(Object.keys(table.columnDefinitions[0]).sort(), ['description', 'format', 'name', 'priority', 'type']);
  assert.deepEqual(table.rows, [{
    cells: ['cm', 1, '5m'],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata },
  }]);

  assert.equal(toTable(r, [cm], { now: NOW }).rows[0].object && (toTable(r, [cm], { now: NOW }).rows[0].object as { kind: string }).kind,
    'PartialObjectMetadata', 'Metadata is the default');
  assert.equal(toTable(r, [cm], { includeObject: 'Object', now: NOW }).rows[0].object, cm);
  assert.equal(toTable(r, [cm], { includeObject: 'None', now: NOW }).rows[0].object, null);
  const bare = toTable(r, [], { includeObject: 'None', noHeaders: true, now: NOW });
  assert.deepEqual(bare, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: [], rows: [] });
  // JSON round trip is what goes on the wire.
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(table)));
});

test('adding a kind is one registerPrinter call', () => {
  const r = res('policy.karmada.io', 'PropagationPolicy', { definition: undefined, crdSchema: { type: 'object' } });
  assert.deepEqual(names(columnsFor(r)), ['Name', 'Age']);
  registerPrinter('policy.karmada.io', 'PropagationPolicy', {
    columns: [{ name: 'Name', type: 'string', format: 'name', description: '', priority: 0 },
      { name: 'Conflict-Resolution', type: 'string', format: '', description: '', priority: 0 }],
    cells: (o) => [o.metadata?.name, o.spec?.conflictResolution ?? 'Abort'],
  });
  assert.deepEqual(names(columnsFor(r)), ['Name', 'Conflict-Resolution']);
  assert.deepEqual(rowFor(r, { metadata: { name: 'pp' }, spec: {} }, NOW), ['pp', 'Abort']);
});
