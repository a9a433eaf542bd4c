// Server-side Table conversion (meta.k8s.io/v1 Table), what `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
//
// Built-in kinds print the columns kube-apiserver prints; rows always carry the wide
// (priority 1) cells too, since the server renders wide and kubectl hides what it doesn't show.
// Custom resources print NAME plus their additionalPrinterColumns (or AGE when they have none).
// Any other kind gets the generic NAME / CREATED AT table.
import type { ResourceInfo, TableColumn } from './types.ts';
import { parseApiVersion } from './registry.ts';
import { rfc3339 } from '../gofmt.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any; // a JSON object as stored; printers read it defensively

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** How one kind prints: its columns and, for one object, the cells in column order. */
export interface Printer {
  columns: TableColumn[];
  cells(obj: Obj, now: Date): unknown[];
  conditions?(obj: Obj): RowCondition[] | undefined;
}

const printers = new Map<string, Printer>();

function groupKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

/** Registers (or replaces) the printer for a group/kind, e.g. registerPrinter('apps', 'Deployment', ...). */
export function registerPrinter(group: string, kind: string, printer: Printer): void {
  printers.set(groupKind(group, kind), printer);
}

export function printerFor(resource: { group: string; kind: string }): Printer | undefined {
  return printers.get(groupKind(resource.group, resource.kind));
}

/** Upstream's CONDITION column: Approved, Denied and Failed as present, ",Issued" once signed; else Pending. */
function csrCondition(o: Obj): string {
  const types = ['Approved', 'Denied', 'Failed'].filter((t) => (o.status?.conditions ?? []).some((c: Obj) => c?.type === t));
  const text = types.length ? types.join(',') : 'Pending';
  return o.status?.certificate ? `${text},Issued` : text;
}

// ---------------------------------------------------------------------------------------------
// Ages

/** apimachinery's duration.HumanDuration: a short, ~2-3 significant figure rendering of a duration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds since the epoch of an RFC3339 timestamp; null when absent ("zero time"), NaN when malformed. */
function parseTime(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !RFC3339.test(value)) return NaN;
  return Date.parse(value);
}

/** translateTimestampSince: "<unknown>" for a zero time, else the age. */
function since(value: unknown, now: Date): string {
  const t = parseTime(value);
  if (t === null || Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

function age(obj: Obj, now: Date): string {
  return since(obj?.metadata?.creationTimestamp, now);
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers shared by printers

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const int = (v: unknown): number => (typeof v === 'number' ? Math.trunc(v) : 0);
const len = (v: unknown): number => (Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0);
const orNone = (s: string, none = '<none>'): string => (s === '' ? none : s);
const name = (obj: Obj): string => str(obj?.metadata?.name);

/** labels.FormatLabels: sorted k=v pairs, or <none>. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return orNone(keys.map((k) => `${k}=${labels![k]}`).join(','));
}

/** metav1.LabelSelectorAsSelector(...).String(); undefined when the selector is invalid. */
function selectorString(sel: Obj): string | undefined {
  if (!sel) return '';
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push([e.key, `${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`]);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return undefined;
        reqs.push([e.key, e.operator === 'Exists' ? e.key : `!${e.key}`]);
        break;
      default:
        return undefined;
    }
  }
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector. */
function formatLabelSelector(sel: Obj): string {
  const s = selectorString(sel);
  return s === undefined ? '<error>' : orNone(s);
}

/** layoutContainerCells: comma-joined container names and images. */
function containerCells(podSpec: Obj): [string, string] {
  const cs: Obj[] = podSpec?.containers ?? [];
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : str(v);
}

function hasCondition(conditions: Obj[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((c) => c.type === type);
  return c?.status === 'True';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The load balancer ingress points, sorted and de-duplicated (server side renders wide: no clipping). */
function loadBalancerIngress(status: Obj): string {
  const set = new Set<string>();
  for (const i of status?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

const ACCESS_MODES: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
];

function accessModes(modes: string[] | undefined): string {
  return ACCESS_MODES.filter(([m]) => (modes ?? []).includes(m)).map(([, s]) => s).join(',');
}

// ---------------------------------------------------------------------------------------------
// Field documentation used as column descriptions (the API types' SwaggerDoc text).

function doc(field: string): string {
  return DOCS[field] ?? '';
}

const LABEL_SELECTORS = 'More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';
const RC_DOCS = 'More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller';
const DS_DOCS = 'More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/';

const DOCS: Record<string, string> = {
  'ObjectMeta.name': 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  'ObjectMeta.creationTimestamp': 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  'PodStatus.podIP': 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  'PodSpec.nodeName': 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.',
  'PodStatus.nominatedNodeName': 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  'PodSpec.readinessGates': 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  'PodSpec.nodeSelector': "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  'ServiceSpec.type': 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  'ServiceSpec.clusterIP': 'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  'ServiceSpec.externalIPs': 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  'ServiceSpec.ports': 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  'ServiceSpec.selector': 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
  'Endpoints.subsets': 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
  'NodeSystemInfo.kubeletVersion': 'Kubelet Version reported by the node.',
  'NodeSystemInfo.osImage': 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
  'NodeSystemInfo.kernelVersion': "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
  'NodeSystemInfo.containerRuntimeVersion': 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
  'NodeStatus.addresses': "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
  'Event.lastTimestamp': 'The time at which the most recent occurrence of this event was recorded.',
  'Event.type': 'Type of this event (Normal, Warning), new types could be added in the future',
  'Event.reason': "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  'Event.involvedObject': 'The object that this event is about.',
  'Event.source': 'The component reporting this event. Should be a short machine understandable string.',
  'Event.message': 'A human-readable description of the status of this operation.',
  'Event.firstTimestamp': 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  'Event.count': 'The number of times this event has occurred.',
  'ObjectReference.fieldPath': 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  'Secret.type': 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  'Secret.data': "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  'ServiceAccount.secrets': 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
  'ConfigMap.data': "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  'PersistentVolumeClaimStatus.phase': 'phase represents the current phase of PersistentVolumeClaim.',
  'PersistentVolumeClaimStatus.capacity': 'capacity represents the actual resources of the underlying volume.',
  'PersistentVolumeClaimStatus.accessModes': 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1',
  'PersistentVolumeClaimSpec.volumeName': 'volumeName is the binding reference to the PersistentVolume backing this claim.',
  'PersistentVolumeClaimSpec.volumeMode': 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
  'ReplicaSetSpec.replicas': `Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. ${RC_DOCS}`,
  'ReplicaSetSpec.selector': `Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. ${LABEL_SELECTORS}`,
  'ReplicaSetStatus.replicas': `Replicas is the most recently observed number of replicas. ${RC_DOCS}`,
  'ReplicaSetStatus.readyReplicas': 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.',
  'DaemonSetStatus.desiredNumberScheduled': `The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). ${DS_DOCS}`,
  'DaemonSetStatus.currentNumberScheduled': `The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. ${DS_DOCS}`,
  'DaemonSetStatus.numberReady': 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
  'DaemonSetStatus.updatedNumberScheduled': 'The total number of nodes that are running updated daemon pod',
  'DaemonSetStatus.numberAvailable': 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
  'DaemonSetSpec.selector': `A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. ${LABEL_SELECTORS}`,
  'DeploymentStatus.updatedReplicas': 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  'DeploymentStatus.availableReplicas': 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  'DeploymentSpec.selector': "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  'ControllerRevision.revision': 'Revision indicates the revision of the state represented by Data.',
  'JobStatus.succeeded': 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
  'JobSpec.selector': `A label query over pods that should match the pod count. Normally, the system sets this field for you. ${LABEL_SELECTORS}`,
  'CronJobSpec.schedule': 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.',
  'CronJobSpec.timeZone': 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones',
  'CronJobSpec.suspend': 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
  'CronJobStatus.active': 'A list of pointers to currently running jobs.',
  'CronJobStatus.lastScheduleTime': 'Information when was the last time the job was successfully scheduled.',
  'NetworkPolicySpec.podSelector': 'podSelector selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
  'RoleBinding.roleRef': 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
  'ClusterRoleBinding.roleRef': 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
  'LeaseSpec.holderIdentity': 'holderIdentity contains the identity of the holder of a current lease.',
};

// ---------------------------------------------------------------------------------------------
// Column definitions

function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumn {
  return { name, type, format, description, priority };
}

const NAME = column('Name', 'string', doc('ObjectMeta.name'), 0, 'name');
const AGE = column('Age', 'string', doc('ObjectMeta.creationTimestamp'));
const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', 1);
const wideSelector = (description: string) => column('Selector', 'string', description, 1);
/** ReplicaSet and ReplicationController print the same columns. */
const REPLICA_COLUMNS: TableColumn[] = [
  NAME,
  column('Desired', 'integer', doc('ReplicaSetSpec.replicas')),
  column('Current', 'integer', doc('ReplicaSetStatus.replicas')),
  column('Ready', 'integer', doc('ReplicaSetStatus.readyReplicas')),
  AGE, CONTAINERS, IMAGES,
  wideSelector(doc('ReplicaSetSpec.selector')),
];

/** The generic table (apiserver's default table convertor). */
export const DEFAULT_COLUMNS: TableColumn[] = [
  NAME,
  column('Created At', 'date', doc('ObjectMeta.creationTimestamp')),
];

function defaultCells(obj: Obj): unknown[] {
  const t = parseTime(obj?.metadata?.creationTimestamp);
  const created = t === null || Number.isNaN(t) ? '0001-01-01T00:00:00Z' : rfc3339(t);
  return [name(obj), created];
}

// ---------------------------------------------------------------------------------------------
// Built-in printers

function podCells(pod: Obj, now: Date): unknown[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initContainers: Obj[] = spec.initContainers ?? [];
  const isSidecar = (n: string) => initContainers.find((c) => c.name === n)?.restartPolicy === 'Always';
  const finishedAt = (c: Obj) => {
    const t = parseTime(c.lastState?.terminated?.finishedAt);
    return t === null || Number.isNaN(t) ? -Infinity : t;
  };

  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = -Infinity;
  let lastSidecarRestart = -Infinity;
  let total = (spec.containers ?? []).length + initContainers.filter((c) => c.restartPolicy === 'Always').length;
  let ready = 0;
  const phase = str(status.phase);
  let reason = status.reason ? str(status.reason) : phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses: Obj[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += int(c.restartCount);
    if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
    if (isSidecar(c.name)) {
      sidecarRestarts += int(c.restartCount);
      if (c.lastState?.terminated) lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(c));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isSidecar(c.name) && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (int(terminated.signal) !== 0) reason = `Init:Signal:${int(terminated.signal)}`;
      else reason = `Init:ExitCode:${int(terminated.exitCode)}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).find((c: Obj) => c.type === 'Initialized')?.status === 'True';
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: Obj[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += int(c.restartCount);
      if (c.lastState?.terminated) lastRestart = Math.max(lastRestart, finishedAt(c));
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== -Infinity) {
    restartsText = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }

  const podIP = str(status.podIPs?.[0]?.ip) || str(status.podIP);
  const gates: Obj[] = spec.readinessGates ?? [];
  let readinessGates = '<none>';
  if (gates.length > 0) {
    const trueCount = gates.filter((g) => {
      const c = (status.conditions ?? []).find((c: Obj) => c.type === g.conditionType);
      return c?.status === 'True';
    }).length;
    readinessGates = `${trueCount}/${gates.length}`;
  }
  return [
    name(pod), `${ready}/${total}`, reason, restartsText, age(pod, now),
    orNone(podIP), orNone(str(spec.nodeName)), orNone(str(status.nominatedNodeName)), readinessGates,
  ];
}

function serviceExternalIP(svc: Obj): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(svc.spec?.externalName);
  }
  return '<unknown>';
}

function servicePorts(ports: Obj[] | undefined): string {
  return (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${protocol}` : `${int(p.port)}/${protocol}`;
  }).join(',');
}

/** "a,b,c + N more..." lists used by endpoints and ingress hosts. */
function moreList(list: string[], total: number, max = 3): string {
  return total > max ? `${list.slice(0, max).join(',')} + ${total - max} more...` : list.join(',');
}

function formatEndpoints(ep: Obj): string {
  const subsets: Obj[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses: Obj[] = ss.addresses ?? [];
    const ports: Obj[] = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) list.push(str(a.ip));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) list.push(joinHostPort(str(a.ip), int(port.port)));
    }
  }
  return moreList(list, count);
}

function formatHosts(rules: Obj[] | undefined): string {
  const all = rules ?? [];
  const hosts = all.slice(0, 3).map((r) => str(r.host)).filter((h) => h !== '');
  if (hosts.length === 0) return '*';
  return all.length > 3 ? `${hosts.join(',')} + ${all.length - 3} more...` : hosts.join(',');
}

function nodeStatus(node: Obj): string {
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return orNone([...roles].sort().join(','));
}

function nodeAddress(node: Obj, type: string): string {
  return str((node.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address) || '<none>';
}

function jobCells(job: Obj, now: Date): unknown[] {
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  const succeeded = int(status.succeeded);
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
  else if (int(spec.parallelism) > 1) completions = `${succeeded}/1 of ${int(spec.parallelism)}`;
  else completions = `${succeeded}/1`;

  const start = parseTime(status.startTime);
  const completion = parseTime(status.completionTime);
  let duration = '';
  if (start !== null) duration = humanDuration((completion ?? now.getTime()) - start);

  let state = 'Running';
  if (hasCondition(status.conditions, 'Complete')) state = 'Complete';
  else if (hasCondition(status.conditions, 'Failed')) state = 'Failed';
  else if (job.metadata?.deletionTimestamp) state = 'Terminating';
  else if (hasCondition(status.conditions, 'Suspended')) state = 'Suspended';
  else if (hasCondition(status.conditions, 'FailureTarget')) state = 'FailureTarget';

  const [names, images] = containerCells(spec.template?.spec);
  return [name(job), state, completions, duration, age(job, now), names, images, formatLabelSelector(spec.selector)];
}

function bindingCells(b: Obj, now: Date): unknown[] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of b.subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
  }
  return [name(b), `${str(b.roleRef?.kind)}/${str(b.roleRef?.name)}`, age(b, now), users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingColumns(what: string): TableColumn[] {
  return [
    NAME,
    column('Role', 'string', doc(`${what}.roleRef`)),
    AGE,
    column('Users', 'string', `Users in the ${what[0].toLowerCase()}${what.slice(1)}`, 1),
    column('Groups', 'string', `Groups in the ${what[0].toLowerCase()}${what.slice(1)}`, 1),
    column('ServiceAccounts', 'string', `ServiceAccounts in the ${what[0].toLowerCase()}${what.slice(1)}`, 1),
  ];
}

/** ResourceQuota: "resource: used/hard" pairs, requests and limits apart. */
function quotaCells(q: Obj, now: Date): unknown[] {
  const hard: Record<string, string> = q.status?.hard ?? {};
  const used: Record<string, string> = q.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const pieces = r.split('.');
    const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
    target.push(`${r}: ${str(used[r] ?? '0')}/${str(hard[r])}`);
  }
  return [name(q), requests.join(', '), limits.join(', '), age(q, now)];
}

function controllerOf(obj: Obj): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true);
  if (!ref) return '<none>';
  const { group } = parseApiVersion(str(ref.apiVersion));
  const kind = str(ref.kind);
  if (!kind && !group) return str(ref.name);
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref.name)}`;
}

/** events.k8s.io/v1 Events print like core Events; map their fields onto the core names. */
function fromEventsV1(e: Obj): Obj {
  return {
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    message: e.note,
    reason: e.reason,
    type: e.type,
    source: e.deprecatedSource ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    eventTime: e.eventTime,
    series: e.series,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

function eventCells(e: Obj, now: Date): unknown[] {
  let first = since(e.firstTimestamp, now);
  if (parseTime(e.firstTimestamp) === null) first = since(e.eventTime, now);
  let last = since(e.lastTimestamp, now);
  if (parseTime(e.lastTimestamp) === null) last = first;
  let count = int(e.count);
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    count = 1;
  }
  const involved = e.involvedObject ?? {};
  const kind = str(involved.kind).toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  const component = str(e.source?.component) || str(e.reportingComponent);
  const host = str(e.source?.host) || str(e.reportingInstance);
  const source = host ? `${component}, ${host}` : component;
  return [last, str(e.type), str(e.reason), target, str(involved.fieldPath), source, str(e.message).trim(), first, count, name(e)];
}

const EVENT_COLUMNS: TableColumn[] = [
  column('Last Seen', 'string', doc('Event.lastTimestamp')),
  column('Type', 'string', doc('Event.type')),
  column('Reason', 'string', doc('Event.reason')),
  column('Object', 'string', doc('Event.involvedObject')),
  column('Subobject', 'string', doc('ObjectReference.fieldPath'), 1),
  column('Source', 'string', doc('Event.source'), 1),
  column('Message', 'string', doc('Event.message')),
  column('First Seen', 'string', doc('Event.firstTimestamp'), 1),
  column('Count', 'string', doc('Event.count'), 1),
  column('Name', 'string', doc('ObjectMeta.name'), 1, 'name'),
];

const podCompleted = (reason: string, message: string): RowCondition[] => [{ type: 'Completed', status: 'True', reason, message }];

const BUILTIN_PRINTERS: Array<[group: string, kind: string, printer: Printer]> = [
  ['', 'Namespace', {
    columns: [NAME, column('Status', 'string', 'The status of the namespace'), AGE],
    cells: (o, now) => [name(o), str(o.status?.phase), age(o, now)],
  }],
  ['', 'ConfigMap', {
    columns: [NAME, column('Data', 'string', doc('ConfigMap.data')), AGE],
    cells: (o, now) => [name(o), len(o.data) + len(o.binaryData), age(o, now)],
  }],
  ['', 'Secret', {
    columns: [NAME, column('Type', 'string', doc('Secret.type')), column('Data', 'string', doc('Secret.data')), AGE],
    cells: (o, now) => [name(o), str(o.type), len(o.data), age(o, now)],
  }],
  ['', 'ServiceAccount', {
    columns: [NAME, column('Secrets', 'string', doc('ServiceAccount.secrets')), AGE],
    cells: (o, now) => [name(o), len(o.secrets), age(o, now)],
  }],
  ['', 'Service', {
    columns: [
      NAME,
      column('Type', 'string', doc('ServiceSpec.type')),
      column('Cluster-IP', 'string', doc('ServiceSpec.clusterIP')),
      column('External-IP', 'string', doc('ServiceSpec.externalIPs')),
      column('Port(s)', 'string', doc('ServiceSpec.ports')),
      AGE,
      wideSelector(doc('ServiceSpec.selector')),
    ],
    cells: (o, now) => [
      name(o), str(o.spec?.type ?? 'ClusterIP'), str(o.spec?.clusterIPs?.[0] ?? o.spec?.clusterIP) || '<none>',
      serviceExternalIP(o), orNone(servicePorts(o.spec?.ports)), age(o, now), formatLabels(o.spec?.selector),
    ],
  }],
  ['', 'Pod', {
    columns: [
      NAME,
      column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'string', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      column('IP', 'string', doc('PodStatus.podIP'), 1),
      column('Node', 'string', doc('PodSpec.nodeName'), 1),
      column('Nominated Node', 'string', doc('PodStatus.nominatedNodeName'), 1),
      column('Readiness Gates', 'string', doc('PodSpec.readinessGates'), 1),
    ],
    cells: podCells,
    conditions: (o) => {
      if (o.status?.phase === 'Succeeded') return podCompleted('Succeeded', 'The pod has completed successfully.');
      if (o.status?.phase === 'Failed') return podCompleted('Failed', 'The pod failed.');
      return undefined;
    },
  }],
  ['', 'ReplicationController', {
    columns: REPLICA_COLUMNS,
    cells: (o, now) => [
      name(o), int(o.spec?.replicas ?? 1), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now),
      ...containerCells(o.spec?.template?.spec), formatLabels(o.spec?.selector),
    ],
  }],
  ['', 'Endpoints', {
    columns: [NAME, column('Endpoints', 'string', doc('Endpoints.subsets')), AGE],
    cells: (o, now) => [name(o), formatEndpoints(o), age(o, now)],
  }],
  ['', 'Node', {
    columns: [
      NAME,
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      AGE,
      column('Version', 'string', doc('NodeSystemInfo.kubeletVersion')),
      column('Internal-IP', 'string', doc('NodeStatus.addresses'), 1),
      column('External-IP', 'string', doc('NodeStatus.addresses'), 1),
      column('OS-Image', 'string', doc('NodeSystemInfo.osImage'), 1),
      column('Kernel-Version', 'string', doc('NodeSystemInfo.kernelVersion'), 1),
      column('Container-Runtime', 'string', doc('NodeSystemInfo.containerRuntimeVersion'), 1),
    ],
    cells: (o, now) => {
      const info = o.status?.nodeInfo ?? {};
      return [
        name(o), nodeStatus(o), nodeRoles(o), age(o, now), str(info.kubeletVersion),
        nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'),
        str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>',
      ];
    },
  }],
  ['', 'Event', { columns: EVENT_COLUMNS, cells: eventCells }],
  ['events.k8s.io', 'Event', { columns: EVENT_COLUMNS, cells: (o, now) => eventCells(fromEventsV1(o), now) }],
  ['', 'ResourceQuota', {
    columns: [
      NAME,
      column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
      AGE,
    ],
    cells: quotaCells,
  }],
  ['', 'PersistentVolumeClaim', {
    columns: [
      NAME,
      column('Status', 'string', doc('PersistentVolumeClaimStatus.phase')),
      column('Volume', 'string', doc('PersistentVolumeClaimSpec.volumeName')),
      column('Capacity', 'string', doc('PersistentVolumeClaimStatus.capacity')),
      column('Access Modes', 'string', doc('PersistentVolumeClaimStatus.accessModes')),
      column('StorageClass', 'string', 'StorageClass of the pvc'),
      column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
      AGE,
      column('VolumeMode', 'string', doc('PersistentVolumeClaimSpec.volumeMode'), 1),
    ],
    cells: (o, now) => {
      const spec = o.spec ?? {};
      const bound = str(spec.volumeName) !== '';
      const storageClass = o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '';
      return [
        name(o), o.metadata?.deletionTimestamp ? 'Terminating' : str(o.status?.phase), str(spec.volumeName),
        bound ? str(o.status?.capacity?.storage ?? '0') : '', bound ? accessModes(o.status?.accessModes) : '',
        str(storageClass), str(spec.volumeAttributesClassName) || '<unset>', age(o, now), str(spec.volumeMode) || '<unset>',
      ];
    },
  }],
  ['apps', 'Deployment', {
    columns: [
      NAME,
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'string', doc('DeploymentStatus.updatedReplicas')),
      column('Available', 'string', doc('DeploymentStatus.availableReplicas')),
      AGE, CONTAINERS, IMAGES,
      wideSelector(doc('DeploymentSpec.selector')),
    ],
    cells: (o, now) => [
      name(o), `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas ?? 1)}`, int(o.status?.updatedReplicas),
      int(o.status?.availableReplicas), age(o, now), ...containerCells(o.spec?.template?.spec),
      selectorString(o.spec?.selector) ?? '<invalid>',
    ],
  }],
  ['apps', 'StatefulSet', {
    columns: [NAME, column('Ready', 'string', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    cells: (o, now) => [
      name(o), `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas ?? 1)}`, age(o, now), ...containerCells(o.spec?.template?.spec),
    ],
  }],
  ['apps', 'DaemonSet', {
    columns: [
      NAME,
      column('Desired', 'integer', doc('DaemonSetStatus.desiredNumberScheduled')),
      column('Current', 'integer', doc('DaemonSetStatus.currentNumberScheduled')),
      column('Ready', 'integer', doc('DaemonSetStatus.numberReady')),
      column('Up-to-date', 'integer', doc('DaemonSetStatus.updatedNumberScheduled')),
      column('Available', 'integer', doc('DaemonSetStatus.numberAvailable')),
      column('Node Selector', 'string', doc('PodSpec.nodeSelector')),
      AGE, CONTAINERS, IMAGES,
      wideSelector(doc('DaemonSetSpec.selector')),
    ],
    cells: (o, now) => {
      const s = o.status ?? {};
      return [
        name(o), int(s.desiredNumberScheduled), int(s.currentNumberScheduled), int(s.numberReady),
        int(s.updatedNumberScheduled), int(s.numberAvailable), formatLabels(o.spec?.template?.spec?.nodeSelector),
        age(o, now), ...containerCells(o.spec?.template?.spec), formatLabelSelector(o.spec?.selector),
      ];
    },
  }],
  ['apps', 'ReplicaSet', {
    columns: REPLICA_COLUMNS,
    cells: (o, now) => [
      name(o), int(o.spec?.replicas ?? 1), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now),
      ...containerCells(o.spec?.template?.spec), formatLabelSelector(o.spec?.selector),
    ],
  }],
  ['apps', 'ControllerRevision', {
    columns: [
      NAME,
      column('Controller', 'string', 'Controller of the object'),
      column('Revision', 'string', doc('ControllerRevision.revision')),
      AGE,
    ],
    cells: (o, now) => [name(o), controllerOf(o), int(o.revision), age(o, now)],
  }],
  ['batch', 'Job', {
    columns: [
      NAME,
      column('Status', 'string', 'Status of the job.'),
      column('Completions', 'string', doc('JobStatus.succeeded')),
      column('Duration', 'string', 'Time required to complete the job.'),
      AGE, CONTAINERS, IMAGES,
      wideSelector(doc('JobSpec.selector')),
    ],
    cells: jobCells,
  }],
  ['batch', 'CronJob', {
    columns: [
      NAME,
      column('Schedule', 'string', doc('CronJobSpec.schedule')),
      column('Timezone', 'string', doc('CronJobSpec.timeZone')),
      column('Suspend', 'boolean', doc('CronJobSpec.suspend')),
      column('Active', 'integer', doc('CronJobStatus.active')),
      column('Last Schedule', 'string', doc('CronJobStatus.lastScheduleTime')),
      AGE, CONTAINERS, IMAGES,
      wideSelector(doc('JobSpec.selector')),
    ],
    cells: (o, now) => {
      const spec = o.spec ?? {};
      const suspend = typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>';
      const last = o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>';
      const jobSpec = spec.jobTemplate?.spec;
      return [
        name(o), str(spec.schedule), str(spec.timeZone) || '<none>', suspend, len(o.status?.active), last, age(o, now),
        ...containerCells(jobSpec?.template?.spec), formatLabelSelector(jobSpec?.selector),
      ];
    },
  }],
  ['rbac.authorization.k8s.io', 'RoleBinding', { columns: bindingColumns('RoleBinding'), cells: bindingCells }],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding', { columns: bindingColumns('ClusterRoleBinding'), cells: bindingCells }],
  ['networking.k8s.io', 'NetworkPolicy', {
    columns: [NAME, column('Pod-Selector', 'string', doc('NetworkPolicySpec.podSelector')), AGE],
    cells: (o, now) => [name(o), formatLabelSelector(o.spec?.podSelector ?? {}), age(o, now)],
  }],
  ['networking.k8s.io', 'Ingress', {
    columns: [
      NAME,
      column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
      column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      column('Ports', 'string', 'Ports of TLS configurations that open'),
      AGE,
    ],
    cells: (o, now) => [
      name(o), str(o.spec?.ingressClassName) || '<none>', formatHosts(o.spec?.rules),
      loadBalancerIngress(o.status?.loadBalancer), len(o.spec?.tls) > 0 ? '80, 443' : '80', age(o, now),
    ],
  }],
  ['networking.k8s.io', 'IngressClass', {
    columns: [
      NAME,
      column('Controller', 'string', 'Controller that is responsible for handling this class'),
      column('Parameters', 'string', 'A reference to a resource with additional parameters'),
      AGE,
    ],
    cells: (o, now) => {
      const p = o.spec?.parameters;
      const params = p ? `${str(p.kind)}${p.apiGroup ? `.${p.apiGroup}` : ''}/${str(p.name)}` : '<none>';
      return [name(o), str(o.spec?.controller), params, age(o, now)];
    },
  }],
  ['certificates.k8s.io', 'CertificateSigningRequest', {
    columns: [
      NAME, AGE,
      column('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
      column('Requestor', 'string', 'Name of the user requesting the certificate.'),
      column('RequestedDuration', 'string', 'Requested certificate duration (spec.expirationSeconds).'),
      column('Condition', 'string', 'The conditions of the request: Approved, Denied or Failed, and Issued once signed; else Pending.'),
    ],
    cells: (o, now) => [
      name(o), age(o, now), str(o.spec?.signerName) || '<none>', str(o.spec?.username),
      typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>',
      csrCondition(o),
    ],
  }],
  ['coordination.k8s.io', 'Lease', {
    columns: [NAME, column('Holder', 'string', doc('LeaseSpec.holderIdentity')), AGE],
    cells: (o, now) => [name(o), str(o.spec?.holderIdentity), age(o, now)],
  }],
  ['policy', 'PodDisruptionBudget', {
    columns: [
      NAME,
      column('Min Available', 'string', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      AGE,
    ],
    cells: (o, now) => [
      name(o), o.spec?.minAvailable !== undefined ? intOrString(o.spec.minAvailable) : 'N/A',
      o.spec?.maxUnavailable !== undefined ? intOrString(o.spec.maxUnavailable) : 'N/A',
      int(o.status?.disruptionsAllowed), age(o, now),
    ],
  }],
  // Role, ClusterRole, LimitRange and CustomResourceDefinition have no printer upstream: they use DEFAULT_COLUMNS.
];

for (const [group, kind, printer] of BUILTIN_PRINTERS) registerPrinter(group, kind, printer);

// ---------------------------------------------------------------------------------------------
// Custom resources: additionalPrinterColumns

function isCustomResource(resource: ResourceInfo): boolean {
  return resource.printerColumns !== undefined || resource.crdSchema !== undefined;
}

/** The CRD's printer columns as served: NAME first, and AGE when the CRD defines none. */
function customColumns(resource: ResourceInfo): TableColumn[] {
  const defined = resource.printerColumns ?? [];
  const columns = defined.length > 0 ? defined : [
    { ...column('Age', 'date', doc('ObjectMeta.creationTimestamp')), jsonPath: '.metadata.creationTimestamp' },
  ];
  return [NAME, ...columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
    priority: c.priority ?? 0,
    jsonPath: c.jsonPath,
  }))];
}

function customCell(col: TableColumn, obj: Obj, now: Date): unknown {
  let results: unknown[];
  try {
    results = jsonPath(obj, col.jsonPath ?? '');
  } catch {
    return null;
  }
  if (results.length === 0) return null;
  const value = results[0];
  if (col.type === 'string') return value === null ? '<no value>' : goPrint(value);
  if (value === null || value === undefined) return null;
  switch (col.type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = value === 'null' ? null : parseTime(value);
      if (Number.isNaN(t)) return '<invalid>';
      return t === null ? '<unknown>' : humanDuration(now.getTime() - t);
    }
  }
  return null;
}

/** How Go's fmt.Print / encoding/json render a JSON value (jsonpath's PrintResults). */
function goPrint(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'object' && value !== null) return goJSON(value);
  return String(value);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  // %v of a float64 is %g with the shortest digits: exponent form when exp < -4 || exp >= 6.
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** encoding/json.Marshal: sorted object keys, HTML-safe escaping. */
function goJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${goJSON(k)}:${goJSON((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (value === undefined) return 'null';
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// ---------------------------------------------------------------------------------------------
// JSONPath (the subset CRD printer columns use), with missing keys yielding no result

type Step =
  | { op: 'field'; name: string }
  | { op: 'wildcard' }
  | { op: 'recurse'; name: string | null }
  | { op: 'slice'; start?: number; end?: number; step?: number; index: boolean }
  | { op: 'filter'; path: Step[]; cmp?: string; literal?: unknown };

function parsePath(expr: string): Step[] {
  let src = expr.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1).trim();
  if (src.startsWith('$')) src = src.slice(1);
  if (src.startsWith('@')) src = src.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const fieldName = (): string => {
    let name = '';
    while (i < src.length && !'.[ =!<>)'.includes(src[i])) {
      if (src[i] === '\\' && i + 1 < src.length) i++;
      name += src[i++];
    }
    return name;
  };
  while (i < src.length) {
    if (src.startsWith('..', i)) {
      i += 2;
      const name = src[i] === '[' ? null : fieldName();
      steps.push({ op: 'recurse', name: name === '*' ? null : name });
    } else if (src[i] === '.') {
      i++;
      const name = fieldName();
      if (name === '') throw new Error(`invalid JSONPath ${expr}: empty field name`);
      steps.push(name === '*' ? { op: 'wildcard' } : { op: 'field', name });
    } else if (src[i] === '[') {
      const close = findClose(src, i);
      steps.push(parseBracket(src.slice(i + 1, close).trim(), expr));
      i = close + 1;
    } else if (/[A-Za-z_]/.test(src[i]) && steps.length === 0) {
      steps.push({ op: 'field', name: fieldName() });
    } else {
      throw new Error(`invalid JSONPath ${expr}: unexpected ${src[i]}`);
    }
  }
  return steps;
}

function findClose(src: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new Error(`invalid JSONPath ${src}: unclosed [`);
}

function parseBracket(inner: string, expr: string): Step {
  if (inner === '*') return { op: 'wildcard' };
  const quoted = inner.match(/^(['"])(.*)\1$/s);
  if (quoted) return { op: 'field', name: quoted[2] };
  if (inner.startsWith('?(') && inner.endsWith(')')) return parseFilter(inner.slice(2, -1).trim(), expr);
  const parts = inner.split(':').map((p) => p.trim());
  if (parts.length > 3 || !parts.every((p) => p === '' || /^-?\d+$/.test(p))) throw new Error(`invalid JSONPath ${expr}: [${inner}]`);
  const num = (p: string | undefined) => (p === undefined || p === '' ? undefined : Number(p));
  if (parts.length === 1) return { op: 'slice', start: num(parts[0]), index: true };
  return { op: 'slice', start: num(parts[0]), end: num(parts[1]), step: num(parts[2]), index: false };
}

function parseFilter(body: string, expr: string): Step {
  const m = body.match(/^@(\S*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/);
  if (!m) {
    if (!body.startsWith('@')) throw new Error(`invalid JSONPath ${expr}: filter ${body}`);
    return { op: 'filter', path: parsePath(body.slice(1)) };
  }
  const raw = m[3].trim();
  let literal: unknown;
  if (/^(['"]).*\1$/s.test(raw)) literal = raw.slice(1, -1);
  else if (raw === 'true' || raw === 'false') literal = raw === 'true';
  else if (!Number.isNaN(Number(raw))) literal = Number(raw);
  else throw new Error(`invalid JSONPath ${expr}: filter value ${raw}`);
  return { op: 'filter', path: parsePath(m[1]), cmp: m[2], literal };
}

function evalSteps(inputs: unknown[], steps: Step[]): unknown[] {
  let current = inputs;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      switch (step.op) {
        case 'field':
          if (typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, step.name)) {
            next.push((v as Record<string, unknown>)[step.name]);
          }
          break;
        case 'wildcard':
          if (typeof v === 'object') next.push(...Object.values(v as object));
          break;
        case 'recurse':
          collect(v, step.name, next);
          break;
        case 'slice':
          next.push(...slice(v, step));
          break;
        case 'filter':
          if (!Array.isArray(v)) throw new Error('filter on a non-array');
          next.push(...v.filter((item) => matches(item, step)));
          break;
      }
    }
    current = next;
  }
  return current;
}

function collect(v: unknown, name: string | null, out: unknown[]): void {
  if (v === null || typeof v !== 'object') return;
  if (!Array.isArray(v)) {
    for (const [k, child] of Object.entries(v)) if (name === null || k === name) out.push(child);
  } else if (name === null) {
    out.push(...v);
  }
  for (const child of Object.values(v)) collect(child, name, out);
}

function slice(v: unknown, step: Extract<Step, { op: 'slice' }>): unknown[] {
  if (!Array.isArray(v)) throw new Error('index on a non-array');
  const n = v.length;
  let start = step.start ?? 0;
  if (start < 0) start += n;
  let end = step.index ? start + 1 : step.end ?? n;
  if (!step.index && end < 0) end += n;
  if (start === end) return [];
  if (start < 0 || start >= n || end < 0 || end > n) throw new Error('array index out of bounds');
  if (start > end) throw new Error('starting index greater than ending index');
  const stride = step.step && step.step > 0 ? step.step : 1;
  return v.slice(start, end).filter((_, i) => i % stride === 0);
}

function matches(item: unknown, filter: Extract<Step, { op: 'filter' }>): boolean {
  const found = evalSteps([item], filter.path);
  if (filter.cmp === undefined) return found.length > 0;
  if (found.length === 0) return false;
  const left = found[0];
  const right = filter.literal;
  if (typeof left !== typeof right) {
    if (filter.cmp === '==' || filter.cmp === '!=') return filter.cmp === '!=';
    throw new Error('incomparable filter values');
  }
  const l = left as number | string | boolean;
  const r = right as number | string | boolean;
  switch (filter.cmp) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '<': return l < r;
    case '>': return l > r;
    case '<=': return l <= r;
    default: return l >= r;
  }
}

/** Evaluates a CRD-style JSONPath (`.spec.replicas`, `{.a[0].b}`, `[*]`, `[?(@.type=="Ready")]`) against obj. */
export function jsonPath(obj: unknown, expr: string): unknown[] {
  return evalSteps([obj], parsePath(expr));
}

// ---------------------------------------------------------------------------------------------
// Public API

/** The Table columns for a resource (custom-resource columns keep their jsonPath). */
export function columnsFor(resource: ResourceInfo): TableColumn[] {
  const printer = printerFor(resource);
  if (printer) return printer.columns;
  if (isCustomResource(resource)) return customColumns(resource);
  return DEFAULT_COLUMNS;
}

/** The cells of one object's row, in columnsFor(resource) order, wide cells included. */
export function rowFor(resource: ResourceInfo, obj: unknown, now: Date): unknown[] {
  const o = (obj ?? {}) as Obj;
  const printer = printerFor(resource);
  if (printer) return printer.cells(o, now);
  if (isCustomResource(resource)) {
    const [, ...columns] = customColumns(resource);
    return [name(o), ...columns.map((c) => customCell(c, o, now))];
  }
  return defaultCells(o);
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ToTableOptions {
  /** What each row's `object` carries; kubectl asks for Metadata (the default). */
  includeObject?: IncludeObject;
  /** Omit the column definitions (TableOptions.noHeaders). */
  noHeaders?: boolean;
  now?: Date;
  /** The list's metadata; for a single object, pass { resourceVersion: obj.metadata.resourceVersion }. */
  listMeta?: ListMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: RowCondition[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: Array<Omit<TableColumn, 'jsonPath'>>;
  rows: TableRow[];
}

/** Builds the meta.k8s.io/v1 Table for objects of one resource. */
export function toTable(resource: ResourceInfo, objects: unknown[], opts: ToTableOptions = {}): Table {
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const printer = printerFor(resource);
  const metadata: ListMeta = {};
  if (opts.listMeta?.resourceVersion) metadata.resourceVersion = opts.listMeta.resourceVersion;
  if (opts.listMeta?.continue) metadata.continue = opts.listMeta.continue;
  if (opts.listMeta?.remainingItemCount !== undefined) metadata.remainingItemCount = opts.listMeta.remainingItemCount;
  const columnDefinitions = opts.noHeaders ? [] : columnsFor(resource).map(({ name, type, format, description, priority }) =>
    ({ name, type, format, description, priority }));
  const rows = objects.map((obj): TableRow => {
    const o = (obj ?? {}) as Obj;
    const row: TableRow = { cells: rowFor(resource, o, now), object: null };
    const conditions = printer?.conditions?.(o);
    if (conditions) row.conditions = conditions;
    if (include === 'Object') row.object = obj;
    else if (include === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} };
    }
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}
