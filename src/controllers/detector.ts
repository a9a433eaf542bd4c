// The resource detector, as Karmada's (pkg/detector): every resource template in the control plane is matched
// against the PropagationPolicies of its namespace and the ClusterPropagationPolicies; the winning policy
// claims it (a label with the policy's permanent id, annotations with its name) and a ResourceBinding (or, for
// a cluster-scoped template, a ClusterResourceBinding) carries the policy's placement for the scheduler.
// A claimed template stays with its policy while the policy exists and still selects it, unless a better
// policy with `preemption: Always` takes it. A template no policy selects loses its claim and its binding.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { getReplicas } from '../propagation/interpreter.ts';
import { PRIORITY_MISMATCH, selectorsPriority, type ResourceSelector } from '../propagation/match.ts';
import {
  bindingName, CPP_NAME_ANNOTATION, CPP_PERMANENT_ID_LABEL, CRB_PERMANENT_ID_LABEL, PP_NAME_ANNOTATION,
  PP_NAMESPACE_ANNOTATION, PP_PERMANENT_ID_LABEL, RB_PERMANENT_ID_LABEL,
} from '../propagation/names.ts';
import { eventRecorder } from './events.ts';
import { EXECUTION_SPACE_PREFIX } from './execution-namespace.ts';
import { Informer, whenServed } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, ignoreNotFound, stableJson } from './runtime.ts';

/** Groups never propagated: the federation APIs themselves (Karmada's and Canopy's) and what only makes sense in one cluster. */
const RESERVED_GROUPS = new Set(['cluster.karmada.io', 'policy.karmada.io', 'work.karmada.io', 'config.karmada.io',
  'canopy.io', 'coordination.k8s.io', 'events.k8s.io']);
const RESERVED_CORE = new Set(['events', 'nodes']);
const RESERVED_NAMESPACES = new Set(['karmada-system', 'karmada-cluster']);

export function isReservedNamespace(name: string | undefined): boolean {
  if (!name) return false;
  return RESERVED_NAMESPACES.has(name) || name.startsWith(EXECUTION_SPACE_PREFIX) || name.startsWith('kube-');
}

/** Whether objects of a resource can be resource templates. */
export function isPropagatable(res: ResourceInfo): boolean {
  if (!res.storage || !res.verbs.includes('watch')) return false;
  if (RESERVED_GROUPS.has(res.group)) return false;
  return !(res.group === '' && RESERVED_CORE.has(res.plural));
}

interface Policy {
  object: KObject;
  cluster: boolean;
}

export function resourceDetector(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'resource-detector' });
  const events = eventRecorder(objects, log, 'resource-detector');
  const templates = new Map<string, Informer>();
  let pps: Informer | undefined;
  let cpps: Informer | undefined;
  let rbs: ResourceInfo | undefined;
  let crbs: ResourceInfo | undefined;
  let stopped = false;

  const queue = new WorkQueue((key) => reconcile(key), {
    workers: 8,
    onError: (key, err) => log.warn({ template: key, err: String(err) }, 'template sync failed; retrying'),
  });

  const templateKey = (res: ResourceInfo, obj: KObject) =>
    `${res.group}|${res.plural}|${obj.metadata.namespace ?? ''}|${obj.metadata.name}`;

  function watchTemplates(): void {
    const wanted = new Map(objects.registry.all().filter(isPropagatable).map((r) => [`${r.group}|${r.plural}`, r]));
    for (const [id, informer] of templates) {
      if (!wanted.has(id) || wanted.get(id) !== informer.resource) {
        informer.stop();
        templates.delete(id);
      }
    }
    for (const [id, res] of wanted) {
      if (templates.has(id)) continue;
      templates.set(id, new Informer(objects, res, (type, obj, old) => {
        // As upstream, a change of status or bookkeeping only does not concern propagation.
        if (type === 'MODIFIED' && old && specOf(obj) === specOf(old)) return;
        queue.add(templateKey(res, obj));
      }));
    }
  }

  function enqueueSelectedBy(policy: KObject | undefined, cluster: boolean): void {
    if (!policy) return;
    for (const informer of templates.values()) {
      for (const obj of informer.list()) {
        const claimed = claimOf(obj);
        const claimedByIt = claimed && claimed.cluster === cluster && claimed.name === policy.metadata.name
          && (cluster || claimed.namespace === policy.metadata.namespace);
        const inScope = cluster || obj.metadata.namespace === policy.metadata.namespace;
        if (claimedByIt || (inScope && selectorsPriority(obj, policy.spec?.resourceSelectors) > PRIORITY_MISMATCH)) {
          queue.add(templateKey(informer.resource, obj));
        }
      }
    }
  }

  const onPolicy = (cluster: boolean) => (type: string, obj: KObject, old: KObject | undefined) => {
    const view = (p: KObject) => JSON.stringify([p.spec, p.metadata.deletionTimestamp, p.metadata.labels?.[permanentIdLabel(cluster)]]);
    if (type === 'MODIFIED' && old && view(old) === view(obj)) return;
    enqueueSelectedBy(obj, cluster);
    if (old) enqueueSelectedBy(old, cluster);
    if (type !== 'DELETED' && !obj.metadata.labels?.[permanentIdLabel(cluster)]) void assignPermanentId(obj, cluster);
  };

  async function assignPermanentId(policy: KObject, cluster: boolean): Promise<void> {
    const res = cluster ? cpps!.resource : pps!.resource;
    const label = permanentIdLabel(cluster);
    await objects.modify(res, policy.metadata.namespace, policy.metadata.name, (current) => {
      if (current.metadata.labels?.[label]) return current;
      current.metadata.labels = { ...(current.metadata.labels ?? {}), [label]: randomUUID() };
      return current;
    }).catch((e) => log.warn({ policy: policy.metadata.name, err: String(e) }, 'could not label the policy'));
  }

  async function reconcile(key: string): Promise<void> {
    if (stopped) return;
    const [group, plural, namespace, name] = key.split('|') as [string, string, string, string];
    const informer = templates.get(`${group}|${plural}`);
    if (!informer) return;
    const res = informer.resource;
    const template = informer.get(namespace || undefined, name);
    if (!template || template.metadata.deletionTimestamp) {
      await deleteBinding(res, namespace, name);
      return;
    }
    if (isReservedNamespace(template.metadata.namespace) || (res.kind === 'Namespace' && isReservedNamespace(name))) return;

    const policy = choosePolicy(template);
    if (!policy) {
      await releaseClaim(res, template);
      await deleteBinding(res, namespace, name);
      return;
    }
    if (!policy.object.metadata.labels?.[permanentIdLabel(policy.cluster)]) return; // labelled soon; the change requeues
    const claimed = await claim(res, template, policy);
    if (claimed !== template) {
      const meta = policy.object.metadata;
      events.record(claimed, 'Normal', 'ApplyPolicySucceed',
        policy.cluster ? `Apply cluster policy(${meta.name}) succeed` : `Apply policy(${meta.namespace}/${meta.name}) succeed`);
    }
    await ensureBinding(res, claimed, policy);
  }

  /** The policy the template belongs to now, keeping an existing claim unless preempted. */
  function choosePolicy(template: KObject): Policy | undefined {
    const namespace: string | undefined = template.metadata.namespace;
    const candidates: Policy[] = [];
    for (const p of namespace ? pps!.list(namespace) : []) candidates.push({ object: p, cluster: false });
    for (const p of cpps!.list()) candidates.push({ object: p, cluster: true });
    const matching = candidates.filter((p) => !p.object.metadata.deletionTimestamp
      && selectorsPriority(template, p.object.spec?.resourceSelectors as ResourceSelector[]) > PRIORITY_MISMATCH);
    const best = matching.sort((a, b) => comparePolicies(template, a, b))[0];
    const claim = claimOf(template);
    const current = claim && matching.find((p) => p.cluster === claim.cluster && p.object.metadata.name === claim.name
      && (p.cluster || p.object.metadata.namespace === claim.namespace));
    if (!current) return best;
    if (best && best !== current && best.object.spec?.preemption === 'Always' && preempts(best, current)) {
      log.info({ template: template.metadata.name, from: current.object.metadata.name, to: best.object.metadata.name },
        'policy preempted the template');
      return best;
    }
    return current;
  }

  async function claim(res: ResourceInfo, template: KObject, policy: Policy): Promise<KObject> {
    const wanted = claimMarks(policy);
    const labels = template.metadata.labels ?? {};
    const annotations = template.metadata.annotations ?? {};
    const stale = [PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL, PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION, CPP_NAME_ANNOTATION]
      .filter((k) => !(k in wanted.labels) && !(k in wanted.annotations) && (k in labels || k in annotations));
    const upToDate = Object.entries(wanted.labels).every(([k, v]) => labels[k] === v)
      && Object.entries(wanted.annotations).every(([k, v]) => annotations[k] === v) && stale.length === 0;
    if (upToDate) return template;
    return objects.modify(res, template.metadata.namespace, template.metadata.name, (current) => {
      const meta = current.metadata;
      const nextLabels = { ...(meta.labels ?? {}) };
      const nextAnnotations = { ...(meta.annotations ?? {}) };
      for (const k of stale) {
        delete nextLabels[k];
        delete nextAnnotations[k];
      }
      meta.labels = { ...nextLabels, ...wanted.labels };
      meta.annotations = { ...nextAnnotations, ...wanted.annotations };
      return current;
    });
  }

  async function releaseClaim(res: ResourceInfo, template: KObject): Promise<void> {
    if (!claimOf(template)) return;
    await objects.modify(res, template.metadata.namespace, template.metadata.name, (current) => {
      const meta = current.metadata;
      for (const k of [PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL]) if (meta.labels) delete meta.labels[k];
      for (const k of [PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION, CPP_NAME_ANNOTATION]) if (meta.annotations) delete meta.annotations[k];
      return current;
    }).catch(ignoreNotFound);
  }

  async function ensureBinding(res: ResourceInfo, template: KObject, policy: Policy): Promise<void> {
    const bindingRes = res.namespaced ? rbs! : crbs!;
    const namespace: string | undefined = template.metadata.namespace;
    const name = bindingName(res.kind, template.metadata.name);
    const marks = claimMarks(policy);
    const { replicas, replicaRequirements } = getReplicas(template);
    const spec = policy.object.spec ?? {};
    const desiredSpec: KObject = {
      resource: {
        apiVersion: template.apiVersion,
        kind: template.kind,
        ...(namespace ? { namespace } : {}),
        name: template.metadata.name,
        uid: template.metadata.uid,
        resourceVersion: template.metadata.resourceVersion,
      },
      ...(replicas ? { replicas } : {}),
      ...(replicaRequirements ? { replicaRequirements } : {}),
      placement: spec.placement ?? {},
      conflictResolution: spec.conflictResolution ?? 'Abort',
      ...(spec.propagateDeps ? { propagateDeps: true } : {}),
      ...(spec.failover ? { failover: spec.failover } : {}),
      ...(spec.suspension ? { suspension: spec.suspension } : {}),
      ...(spec.preserveResourcesOnDeletion ? { preserveResourcesOnDeletion: true } : {}),
      schedulerName: spec.schedulerName ?? 'default-scheduler',
    };
    const ownerReference = {
      apiVersion: template.apiVersion, kind: template.kind, name: template.metadata.name, uid: template.metadata.uid,
      controller: true, blockOwnerDeletion: true,
    };
    const idLabel = res.namespaced ? RB_PERMANENT_ID_LABEL : CRB_PERMANENT_ID_LABEL;
    const existing = await objects.tryGet(bindingRes, namespace, name);
    if (!existing) {
      await objects.create(bindingRes, namespace, {
        apiVersion: `${bindingRes.group}/${bindingRes.version}`,
        kind: bindingRes.kind,
        metadata: {
          name, ...(namespace ? { namespace } : {}),
          labels: { ...marks.labels, [idLabel]: randomUUID() },
          annotations: marks.annotations,
          ownerReferences: [ownerReference],
        },
        spec: desiredSpec,
      }).catch((e) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        queue.add(templateKey(res, template));
      });
      return;
    }
    const keep = ['clusters', 'rescheduleTriggeredAt', 'gracefulEvictionTasks', 'requiredBy'];
    const next: KObject = { ...desiredSpec };
    for (const k of keep) if (existing.spec?.[k] !== undefined) next[k] = existing.spec[k];
    const labels = { ...(existing.metadata.labels ?? {}), ...marks.labels };
    for (const k of [PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL]) if (!(k in marks.labels)) delete labels[k];
    if (!labels[idLabel]) labels[idLabel] = randomUUID();
    const annotations = { ...(existing.metadata.annotations ?? {}), ...marks.annotations };
    for (const k of [PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION, CPP_NAME_ANNOTATION]) if (!(k in marks.annotations)) delete annotations[k];
    if (stableJson([existing.spec, existing.metadata.labels, existing.metadata.annotations, existing.metadata.ownerReferences])
      === stableJson([next, labels, annotations, [ownerReference]])) return;
    await objects.modify(bindingRes, namespace, name, (current) => ({
      ...current,
      metadata: { ...current.metadata, labels, annotations, ownerReferences: [ownerReference] },
      spec: { ...next, ...Object.fromEntries(keep.filter((k) => current.spec?.[k] !== undefined).map((k) => [k, current.spec[k]])) },
    }));
  }

  async function deleteBinding(res: ResourceInfo, namespace: string, name: string): Promise<void> {
    const bindingRes = res.namespaced ? rbs! : crbs!;
    await objects.delete(bindingRes, namespace || undefined, bindingName(res.kind, name), { propagationPolicy: 'Background' })
      .catch(ignoreNotFound);
  }

  (async () => {
    const found = await whenServed(objects, [
      ['policy.karmada.io', 'v1alpha1', 'propagationpolicies'],
      ['policy.karmada.io', 'v1alpha1', 'clusterpropagationpolicies'],
      ['work.karmada.io', 'v1alpha2', 'resourcebindings'],
      ['work.karmada.io', 'v1alpha2', 'clusterresourcebindings'],
    ], () => stopped);
    if (!found) return;
    const [pp, cpp] = found;
    [rbs, crbs] = [found[2], found[3]];
    pps = new Informer(objects, pp!, onPolicy(false));
    cpps = new Informer(objects, cpp!, onPolicy(true));
    await Promise.all([pps.synced, cpps.synced]);
    if (stopped) return;
    watchTemplates();
    objects.registry.onChange(() => {
      if (!stopped) watchTemplates();
    });
  })().catch((e) => log.error({ err: String(e) }, 'resource detector failed to start'));

  return {
    async stop() {
      stopped = true;
      queue.stop();
      pps?.stop();
      cpps?.stop();
      for (const informer of templates.values()) informer.stop();
    },
  };
}

function permanentIdLabel(cluster: boolean): string {
  return cluster ? CPP_PERMANENT_ID_LABEL : PP_PERMANENT_ID_LABEL;
}

function claimMarks(policy: Policy): { labels: Record<string, string>; annotations: Record<string, string> } {
  const meta = policy.object.metadata;
  const id: string = meta.labels?.[permanentIdLabel(policy.cluster)] ?? '';
  return policy.cluster
    ? { labels: { [CPP_PERMANENT_ID_LABEL]: id }, annotations: { [CPP_NAME_ANNOTATION]: meta.name } }
    : { labels: { [PP_PERMANENT_ID_LABEL]: id }, annotations: { [PP_NAME_ANNOTATION]: meta.name, [PP_NAMESPACE_ANNOTATION]: meta.namespace } };
}

/** The policy that claimed a template, from its annotations. */
export function claimOf(template: KObject): { cluster: boolean; name: string; namespace?: string } | undefined {
  const a = template.metadata?.annotations ?? {};
  if (a[PP_NAME_ANNOTATION]) return { cluster: false, name: a[PP_NAME_ANNOTATION], namespace: a[PP_NAMESPACE_ANNOTATION] };
  if (a[CPP_NAME_ANNOTATION]) return { cluster: true, name: a[CPP_NAME_ANNOTATION] };
  return undefined;
}

/** Policy order: PropagationPolicy before ClusterPropagationPolicy, then explicit priority, implicit priority, name. */
function comparePolicies(template: KObject, a: Policy, b: Policy): number {
  if (a.cluster !== b.cluster) return a.cluster ? 1 : -1;
  const explicit = (b.object.spec?.priority ?? 0) - (a.object.spec?.priority ?? 0);
  if (explicit) return explicit;
  const implicit = selectorsPriority(template, b.object.spec?.resourceSelectors) - selectorsPriority(template, a.object.spec?.resourceSelectors);
  if (implicit) return implicit;
  return a.object.metadata.name < b.object.metadata.name ? -1 : a.object.metadata.name > b.object.metadata.name ? 1 : 0;
}

/** Whether a candidate with preemption may take a template from the policy that holds it. */
function preempts(candidate: Policy, holder: Policy): boolean {
  if (!candidate.cluster && holder.cluster) return true;
  if (candidate.cluster && !holder.cluster) return false;
  return (candidate.object.spec?.priority ?? 0) > (holder.object.spec?.priority ?? 0);
}

/** What of a template concerns propagation: everything but status and bookkeeping. */
function specOf(obj: KObject): string {
  const { status: _status, metadata, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata ?? {};
  return JSON.stringify([rest, meta]);
}
