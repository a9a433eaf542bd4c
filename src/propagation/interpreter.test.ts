import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../registry/objects.ts';
import {
  aggregateStatus, getReplicas, interpretHealth, reflectStatus, RESOURCE_TEMPLATE_GENERATION_ANNOTATION, reviseReplica,
} from './interpreter.ts';

const deployment = (spec: KObject = {}, extra: KObject = {}): KObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'app' }, spec, ...extra });
const podTemplate = (podSpec: KObject): KObject => ({ template: { spec: podSpec } });
const container = (resources: KObject): KObject => ({ name: 'c', image: 'nginx', resources });
const requestOf = (podSpec: KObject): KObject | undefined =>
  getReplicas(deployment({ replicas: 1, ...podTemplate(podSpec) })).replicaRequirements?.resourceRequest;

describe('getReplicas', () => {
  it('reads spec.replicas of Deployments and StatefulSets, 1 when unset', () => {
    assert.deepEqual(getReplicas(deployment({ replicas: 3 })), { replicas: 3 });
    assert.deepEqual(getReplicas(deployment()), { replicas: 1 });
    assert.deepEqual(getReplicas({ apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 0 } }), { replicas: 0 });
  });

  it('reads a Job\'s parallelism, capped by its completions', () => {
    const job = (spec: KObject) => getReplicas({ apiVersion: 'batch/v1', kind: 'Job', spec }).replicas;
    assert.equal(job({ parallelism: 5, completions: 3 }), 3);
    assert.equal(job({ parallelism: 2, completions: 10 }), 2);
    assert.equal(job({ parallelism: 4 }), 4);
    assert.equal(job({}), 1);
  });

  it('counts a Pod as one replica with its own spec as the pod template', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', spec: { containers: [container({ requests: { cpu: '250m' } })] } };
    assert.deepEqual(getReplicas(pod), { replicas: 1, replicaRequirements: { resourceRequest: { cpu: '250m' } } });
  });

  it('gives 0 for kinds without a replica interpreter, matching apiVersion exactly', () => {
    assert.deepEqual(getReplicas({ apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 3 } }), { replicas: 0 });
    assert.deepEqual(getReplicas({ apiVersion: 'v1', kind: 'ConfigMap' }), { replicas: 0 });
    assert.deepEqual(getReplicas({ apiVersion: 'apps/v1beta1', kind: 'Deployment', spec: { replicas: 3 } }), { replicas: 0 });
  });

  it('sums container requests, limits standing in for missing requests', () => {
    assert.deepEqual(requestOf({ containers: [
      container({ requests: { cpu: '100m', memory: '64Mi' } }),
      container({ limits: { cpu: '1', memory: '1Gi' } }),
      container({ requests: { cpu: '0.5' }, limits: { cpu: '2', 'nvidia.com/gpu': 1 } }),
    ] }), { cpu: '1600m', memory: '1088Mi', 'nvidia.com/gpu': '1' });
  });

  it('raises requests to the largest init container\'s and adds the overhead', () => {
    assert.deepEqual(requestOf({
      initContainers: [container({ requests: { cpu: '2', memory: '16Mi' } })],
      containers: [container({ requests: { cpu: '1500m', memory: '64Mi' } })],
      overhead: { memory: '10Mi' },
    }), { cpu: '2', memory: '74Mi' });
  });

  it('writes quantities canonically and ignores resources the scheduler does not count', () => {
    assert.deepEqual(requestOf({ containers: [container({ requests: {
      cpu: '1500m', memory: '1G', 'ephemeral-storage': '1e3', 'hugepages-2Mi': '4Mi', pods: 2000, storage: '1Gi',
    } })] }), { cpu: '1500m', memory: '1000000000', 'ephemeral-storage': '1k', 'hugepages-2Mi': '4Mi', pods: '2k' });
    assert.deepEqual(requestOf({ containers: [container({ requests: { cpu: '0.0001', memory: '1.5Ki' } })] }),
      { cpu: '1m', memory: '1536' });
  });

  it('has no requirements when the pod template asks for nothing', () => {
    const bare = deployment({ replicas: 2, ...podTemplate({ containers: [container({})] }) });
    assert.deepEqual(getReplicas(bare), { replicas: 2 });
  });

  it('claims nodes by selector, tolerations and required node affinity', () => {
    const required = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] };
    const tolerations = [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const { replicaRequirements } = getReplicas(deployment({ replicas: 2, ...podTemplate({
      nodeSelector: { disk: 'ssd' }, tolerations,
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } },
      containers: [container({})],
    }) }));
    assert.deepEqual(replicaRequirements, { nodeClaim: { nodeSelector: { disk: 'ssd' }, hardNodeAffinity: required, tolerations } });
  });
});

describe('reviseReplica', () => {
  it('sets spec.replicas on a copy', () => {
    const manifest = deployment({ replicas: 4 });
    assert.deepEqual(reviseReplica(manifest, 2).spec, { replicas: 2 });
    assert.equal(manifest.spec.replicas, 4);
  });

  it('sets a Job\'s parallelism and leaves its completions', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 4, completions: 8 } };
    assert.deepEqual(reviseReplica(job, 1).spec, { parallelism: 1, completions: 8 });
  });

  it('only revises a field the manifest sets, and only for interpreted kinds', () => {
    assert.deepEqual(reviseReplica(deployment(), 2).spec, {});
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 3 } };
    assert.deepEqual(reviseReplica(rs, 1), rs);
  });
});

describe('reflectStatus', () => {
  const member = (kind: string, status: KObject | undefined, meta: KObject = {}): KObject =>
    ({ apiVersion: 'apps/v1', kind, metadata: { name: 'web', ...meta }, ...(status ? { status } : {}) });
  const annotated = { generation: 3, annotations: { [RESOURCE_TEMPLATE_GENERATION_ANNOTATION]: '2' } };

  it('keeps a Deployment\'s counters and observedGeneration with the member and template generations', () => {
    const status = {
      observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 0,
      conditions: [{ type: 'Available', status: 'True' }],
    };
    assert.deepEqual(reflectStatus(member('Deployment', status, annotated)), {
      generation: 3, resourceTemplateGeneration: 2, observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 1,
      availableReplicas: 1,
    });
  });

  it('records nothing for a Deployment without status, or with an empty one and no generation', () => {
    assert.equal(reflectStatus(member('Deployment', undefined, annotated)), undefined);
    assert.equal(reflectStatus(member('Deployment', {})), undefined);
    assert.deepEqual(reflectStatus(member('Deployment', {}, { generation: 1 })), { generation: 1 });
  });

  it('leaves out a template generation that is not a number', () => {
    const meta = { generation: 1, annotations: { [RESOURCE_TEMPLATE_GENERATION_ANNOTATION]: 'x' } };
    assert.deepEqual(reflectStatus(member('Deployment', { replicas: 1 }, meta)), { generation: 1, replicas: 1 });
  });

  it('keeps a DaemonSet\'s and a StatefulSet\'s counters, writing the required ones even when zero', () => {
    assert.deepEqual(reflectStatus(member('DaemonSet', { numberReady: 1, observedGeneration: 3, collisionCount: 1 }, annotated)), {
      generation: 3, resourceTemplateGeneration: 2, observedGeneration: 3, currentNumberScheduled: 0, numberMisscheduled: 0,
      desiredNumberScheduled: 0, numberReady: 1,
    });
    const sts = { readyReplicas: 1, observedGeneration: 3, updateRevision: 'r' };
    assert.deepEqual(reflectStatus(member('StatefulSet', sts, annotated)), {
      generation: 3, resourceTemplateGeneration: 2, observedGeneration: 3, replicas: 0, readyReplicas: 1, availableReplicas: 0,
    });
  });

  it('keeps only the load balancer of a LoadBalancer Service', () => {
    const svc = (type: string, status: KObject) => ({ apiVersion: 'v1', kind: 'Service', spec: { type }, status });
    const ingress = [{ ip: '1.2.3.4' }];
    assert.deepEqual(reflectStatus(svc('LoadBalancer', { loadBalancer: { ingress }, conditions: [] })), { loadBalancer: { ingress } });
    assert.deepEqual(reflectStatus(svc('LoadBalancer', { loadBalancer: {} })), { loadBalancer: {} });
    assert.equal(reflectStatus(svc('ClusterIP', { loadBalancer: {} })), undefined);
  });

  it('keeps a Job\'s counters, conditions and times', () => {
    const status = {
      active: 1, succeeded: 0, failed: 2, ready: 1, startTime: '2024-01-01T00:00:00Z',
      conditions: [{ type: 'Suspended', status: 'False' }], uncountedTerminatedPods: {},
    };
    assert.deepEqual(reflectStatus({ apiVersion: 'batch/v1', kind: 'Job', status }),
      { conditions: status.conditions, startTime: status.startTime, active: 1, failed: 2 });
    assert.deepEqual(reflectStatus({ apiVersion: 'batch/v1', kind: 'Job', status: {} }), {});
  });

  it('keeps a PodDisruptionBudget\'s and a HorizontalPodAutoscaler\'s counters', () => {
    const pdb = { currentHealthy: 2, observedGeneration: 1 };
    assert.deepEqual(reflectStatus({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status: pdb }),
      { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 0, expectedPods: 0 });
    assert.deepEqual(reflectStatus({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', status: { currentReplicas: 2 } }),
      { currentReplicas: 2, desiredReplicas: 0 });
  });

  it('keeps the whole status of other kinds, and nothing when there is none', () => {
    const status = { loadBalancer: { ingress: [{ hostname: 'a.example.com' }] } };
    assert.deepEqual(reflectStatus({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', status }), status);
    assert.deepEqual(reflectStatus({ apiVersion: 'v1', kind: 'Namespace', status: { phase: 'Active' } }), { phase: 'Active' });
    assert.deepEqual(reflectStatus({ apiVersion: 'apps/v1', kind: 'ReplicaSet', status: {} }), {});
    assert.equal(reflectStatus({ apiVersion: 'v1', kind: 'ConfigMap', data: {} }), undefined);
  });
});

describe('interpretHealth', () => {
  const workload = (kind: string, spec: KObject, status: KObject) =>
    ({ apiVersion: 'apps/v1', kind, metadata: { generation: 2 }, spec, status });

  it('judges a Deployment by its rollout', () => {
    const d = (status: KObject, spec: KObject = { replicas: 2 }) => interpretHealth(workload('Deployment', spec, status));
    assert.equal(d({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 }), 'Healthy');
    assert.equal(d({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 }), 'Unhealthy');
    assert.equal(d({ observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1 }), 'Unhealthy');
    assert.equal(d({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 1 }), 'Unhealthy');
    assert.equal(d({ observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 }), 'Healthy');
    assert.equal(d({ observedGeneration: 2 }, {}), 'Healthy');
  });

  it('judges a StatefulSet by its rollout, a partition limiting the pods to update', () => {
    const s = (spec: KObject, status: KObject) => interpretHealth(workload('StatefulSet', spec, status));
    assert.equal(s({ replicas: 3 }, { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 }), 'Healthy');
    assert.equal(s({ replicas: 3 }, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 3 }), 'Unhealthy');
    const partitioned = { replicas: 3, updateStrategy: { rollingUpdate: { partition: 2 } } };
    assert.equal(s(partitioned, { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 3 }), 'Healthy');
    assert.equal(s(partitioned, { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 2 }), 'Unhealthy');
  });

  it('judges ReplicaSets and DaemonSets', () => {
    const rs = (availableReplicas: number) =>
      interpretHealth(workload('ReplicaSet', { replicas: 2 }, { observedGeneration: 2, availableReplicas }));
    assert.equal(rs(2), 'Healthy');
    assert.equal(rs(1), 'Unhealthy');
    const ds = (status: KObject) => interpretHealth(workload('DaemonSet', {}, { observedGeneration: 2, ...status }));
    assert.equal(ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }), 'Healthy');
    assert.equal(ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1 }), 'Unhealthy');
    assert.equal(ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }), 'Unhealthy');
  });

  it('judges Services and Ingresses by their load balancer', () => {
    const svc = (type: string, status: KObject = {}) => interpretHealth({ apiVersion: 'v1', kind: 'Service', spec: { type }, status });
    assert.equal(svc('ClusterIP'), 'Healthy');
    assert.equal(svc('LoadBalancer'), 'Unhealthy');
    assert.equal(svc('LoadBalancer', { loadBalancer: { ingress: [{ ports: [] }] } }), 'Unhealthy');
    assert.equal(svc('LoadBalancer', { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }), 'Healthy');
    const ing = (status: KObject) => interpretHealth({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', status });
    assert.equal(ing({ loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } }), 'Healthy');
    assert.equal(ing({}), 'Unhealthy');
  });

  it('judges claims, pods and disruption budgets', () => {
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Bound' } }), 'Healthy');
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } }), 'Unhealthy');
    const pod = (status: KObject) => interpretHealth({ apiVersion: 'v1', kind: 'Pod', status });
    assert.equal(pod({ phase: 'Succeeded' }), 'Healthy');
    assert.equal(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }), 'Healthy');
    assert.equal(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }), 'Unhealthy');
    assert.equal(pod({ phase: 'Pending' }), 'Unhealthy');
    const pdb = (status: KObject) => interpretHealth({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status });
    assert.equal(pdb({ currentHealthy: 2, desiredHealthy: 2 }), 'Healthy');
    assert.equal(pdb({ currentHealthy: 1, desiredHealthy: 2 }), 'Unhealthy');
  });

  it('does not judge other kinds', () => {
    assert.equal(interpretHealth({ apiVersion: 'v1', kind: 'ConfigMap' }), 'Unknown');
    assert.equal(interpretHealth({ apiVersion: 'batch/v1', kind: 'Job', status: {} }), 'Unknown');
  });
});

describe('aggregateStatus', () => {
  const template = (kind: string, status?: KObject, spec: KObject = {}, apiVersion = 'apps/v1'): KObject =>
    ({ apiVersion, kind, metadata: { name: 'web', generation: 2 }, spec, ...(status ? { status } : {}) });
  const current = { generation: 5, observedGeneration: 5, resourceTemplateGeneration: 2 };

  it('sums a Deployment\'s counters, keeps its other fields and marks the generation observed when all members are current', () => {
    const items = [
      { clusterName: 'm1', status: { ...current, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 } },
      { clusterName: 'm2', status: { ...current, generation: 1, observedGeneration: 1, replicas: 1, unavailableReplicas: 1 } },
    ];
    const old = { observedGeneration: 1, replicas: 9, conditions: [{ type: 'Available', status: 'True' }] };
    assert.deepEqual(aggregateStatus(template('Deployment', old), items), {
      observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 1,
      conditions: old.conditions,
    });
  });

  it('keeps a Deployment\'s observedGeneration while a member lags behind, has not reported, or runs an older template', () => {
    const old = { observedGeneration: 1 };
    const status = { ...current, replicas: 1 };
    const lagging = [{ clusterName: 'm1', status }, { clusterName: 'm2', status: { ...status, observedGeneration: 4 } }];
    assert.deepEqual(aggregateStatus(template('Deployment', old), lagging), { observedGeneration: 1, replicas: 2 });
    const silent = [{ clusterName: 'm1', status }, { clusterName: 'm2', applied: false }];
    assert.deepEqual(aggregateStatus(template('Deployment', old), silent), { observedGeneration: 1, replicas: 1 });
    const stale = [{ clusterName: 'm1', status: { ...status, resourceTemplateGeneration: 1 } }];
    assert.deepEqual(aggregateStatus(template('Deployment'), stale), { replicas: 1 });
  });

  it('gives an equal copy of the old status when nothing changed', () => {
    const old = { observedGeneration: 2, replicas: 1 };
    const t = template('Deployment', old);
    const aggregated = aggregateStatus(t, [{ clusterName: 'm1', status: { ...current, replicas: 1 } }]);
    assert.deepEqual(aggregated, old);
    assert.notEqual(aggregated, old);
    assert.deepEqual(aggregateStatus(template('Deployment'), []), { observedGeneration: 2 });
  });

  it('sums DaemonSet and StatefulSet counters', () => {
    const ds = { ...current, currentNumberScheduled: 1, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1 };
    assert.deepEqual(aggregateStatus(template('DaemonSet'), [{ clusterName: 'm1', status: ds }, { clusterName: 'm2', status: ds }]), {
      currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 2,
      observedGeneration: 2,
    });
    const sts = { ...current, replicas: 2, readyReplicas: 2, availableReplicas: 2 };
    assert.deepEqual(aggregateStatus(template('StatefulSet'), [{ clusterName: 'm1', status: sts }, { clusterName: 'm2' }]),
      { availableReplicas: 2, readyReplicas: 2, replicas: 2 });
  });

  it('merges the load balancer ingress of a LoadBalancer Service, naming the cluster of a bare IP', () => {
    const lb = (ingress: KObject[]) => ({ loadBalancer: { ingress } });
    const items = [
      { clusterName: 'm1', status: lb([{ ip: '1.2.3.4' }]) },
      { clusterName: 'm2', status: lb([{ hostname: 'lb.example.com', ip: '5.6.7.8' }]) },
      { clusterName: 'm3' },
    ];
    const svc = template('Service', { conditions: [] }, { type: 'LoadBalancer' }, 'v1');
    assert.deepEqual(aggregateStatus(svc, items),
      lb([{ ip: '1.2.3.4', hostname: 'm1' }, { hostname: 'lb.example.com', ip: '5.6.7.8' }]));
    assert.deepEqual(aggregateStatus(svc, [{ clusterName: 'm3' }]), { loadBalancer: {} });
    const clusterIP = template('Service', { loadBalancer: {} }, { type: 'ClusterIP' }, 'v1');
    assert.deepEqual(aggregateStatus(clusterIP, items), { loadBalancer: {} });
  });

  it('merges the load balancer ingress of an Ingress', () => {
    const ingress = template('Ingress', undefined, {}, 'networking.k8s.io/v1');
    assert.deepEqual(aggregateStatus(ingress, [{ clusterName: 'm1', status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }]),
      { loadBalancer: { ingress: [{ ip: '1.2.3.4', hostname: 'm1' }] } });
  });

  describe('Jobs', () => {
    const job = (status?: KObject) => template('Job', status, {}, 'batch/v1');
    const done = (start: string, end: string): KObject => ({
      succeeded: 1, startTime: start, completionTime: end, conditions: [{ type: 'Complete', status: 'True' }],
    });
    const stripTimes = (status: KObject | undefined): KObject | undefined => status && {
      ...status, conditions: status.conditions?.map(({ lastProbeTime, lastTransitionTime, ...c }: KObject) => {
        assert.match(lastProbeTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(lastTransitionTime, lastProbeTime);
        return c;
      }),
    };

    it('completes when every member completed, from the earliest start to the latest completion', () => {
      const items = [
        { clusterName: 'm1', status: done('2024-01-01T00:00:05Z', '2024-01-01T00:01:00Z') },
        { clusterName: 'm2', status: done('2024-01-01T00:00:01Z', '2024-01-01T00:02:00Z') },
      ];
      assert.deepEqual(stripTimes(aggregateStatus(job(), items)), {
        conditions: [{ type: 'Complete', status: 'True', reason: 'Completed', message: 'Job completed' }],
        startTime: '2024-01-01T00:00:01Z', completionTime: '2024-01-01T00:02:00Z', succeeded: 2,
      });
    });

    it('fails when a member failed, naming the clusters', () => {
      const failed = { failed: 2, startTime: '2024-01-01T00:00:00Z', conditions: [{ type: 'Failed', status: 'True' }] };
      const items = [
        { clusterName: 'm1', status: failed },
        { clusterName: 'm2', status: { active: 1, startTime: '2024-01-01T00:00:03Z' } },
        { clusterName: 'm3', status: failed },
      ];
      assert.deepEqual(stripTimes(aggregateStatus(job(), items)), {
        conditions: [{ type: 'Failed', status: 'True', reason: 'JobFailed', message: 'Job executed failed in member clusters m1,m3' }],
        startTime: '2024-01-01T00:00:00Z', active: 1, failed: 4,
      });
    });

    it('is not complete while a member runs or has not reported', () => {
      const finished = { clusterName: 'm1', status: done('2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z') };
      assert.deepEqual(aggregateStatus(job(), [finished, { clusterName: 'm2', status: { active: 1 } }]),
        { startTime: '2024-01-01T00:00:00Z', active: 1, succeeded: 1 });
      assert.deepEqual(aggregateStatus(job(), [finished, { clusterName: 'm2' }]), { startTime: '2024-01-01T00:00:00Z', succeeded: 1 });
      assert.deepEqual(aggregateStatus(job(), []), {});
    });

    it('never changes a finished Job', () => {
      const old = { succeeded: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'JobFailed' }] };
      assert.deepEqual(aggregateStatus(job(old), [{ clusterName: 'm1', status: { active: 3 } }]), old);
    });
  });

  it('collects CronJob runs and their latest times', () => {
    const items = [
      { clusterName: 'm1', status: { active: [{ name: 'a' }], lastScheduleTime: '2024-01-01T00:05:00Z' } },
      { clusterName: 'm2', status: { lastScheduleTime: '2024-01-01T00:10:00Z', lastSuccessfulTime: '2024-01-01T00:01:00Z' } },
    ];
    assert.deepEqual(aggregateStatus(template('CronJob', undefined, {}, 'batch/v1'), items), {
      active: [{ name: 'a' }], lastScheduleTime: '2024-01-01T00:10:00Z', lastSuccessfulTime: '2024-01-01T00:01:00Z',
    });
  });

  it('gives a Pod the most pressing phase and each member\'s container readiness and state', () => {
    const pod = template('Pod', { phase: 'Pending', conditions: [] }, {}, 'v1');
    const running = { running: { startedAt: '2024-01-01T00:00:00Z' } };
    const member = (phase: string): KObject =>
      ({ phase, containerStatuses: [{ name: 'c', image: 'nginx', ready: true, restartCount: 3, state: running }] });
    const summary = { name: '', state: running, lastState: {}, ready: true, restartCount: 0, image: '', imageID: '' };
    const items = [{ clusterName: 'm1', status: member('Running') }, { clusterName: 'm2', status: member('Succeeded') }];
    assert.deepEqual(aggregateStatus(pod, items),
      { phase: 'Running', containerStatuses: [summary, summary] });
    assert.deepEqual(aggregateStatus(pod, [{ clusterName: 'm1', status: member('Running') }, { clusterName: 'm2' }]),
      { phase: 'Pending', containerStatuses: [summary] });
    assert.equal(aggregateStatus(pod, [{ clusterName: 'm1', status: { phase: 'Failed' } }])?.phase, 'Failed');
    assert.deepEqual(aggregateStatus(pod, []), { phase: 'Pending', conditions: [] });
  });

  it('gives a claim Bound only when every member is bound, Lost when any is lost', () => {
    const pvc = template('PersistentVolumeClaim', { phase: 'Bound', capacity: { storage: '1Gi' } }, {}, 'v1');
    const phases = (...p: string[]) => aggregateStatus(pvc, p.map((phase, i) => ({ clusterName: `m${i}`, status: { phase } })));
    assert.deepEqual(phases('Bound', 'Bound'), { phase: 'Bound' });
    assert.deepEqual(phases('Bound', 'Pending'), { phase: 'Pending' });
    assert.deepEqual(phases('Pending', 'Lost', 'Bound'), { phase: 'Lost' });
  });

  it('gives a volume the most pressing phase', () => {
    const pv = template('PersistentVolume', undefined, {}, 'v1');
    const bound = { clusterName: 'm1', status: { phase: 'Bound' } };
    assert.deepEqual(aggregateStatus(pv, [bound, { clusterName: 'm2' }]), { phase: 'Pending' });
    assert.deepEqual(aggregateStatus(pv, [bound]), { phase: 'Bound' });
  });

  it('sums disruption budgets, prefixing disrupted pods with their cluster', () => {
    const status = {
      currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1, disruptedPods: { p: '2024-01-01T00:00:00Z' },
    };
    assert.deepEqual(aggregateStatus(template('PodDisruptionBudget', undefined, {}, 'policy/v1'), [{ clusterName: 'm1', status }]), {
      disruptedPods: { 'm1/p': '2024-01-01T00:00:00Z' }, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2,
    });
  });

  it('leaves kinds upstream does not aggregate alone', () => {
    const rs = template('ReplicaSet', { replicas: 1 });
    assert.equal(aggregateStatus(rs, [{ clusterName: 'm1', status: { replicas: 2 } }]), undefined);
    assert.equal(aggregateStatus(template('ConfigMap', undefined, {}, 'v1'), []), undefined);
  });
});
