// The RBAC objects the authorizer reads, kept in memory by watches of the store (an informer per kind) and
// indexed by subject, so that deciding a request is a few map lookups. Writers wait with observed() until
// their write is in the cache, which makes a change through this server count from the very next request.
import type { Logger } from 'pino';
import type { KObject, ObjectService } from '../../registry/objects.ts';
import type { ResourceInfo } from '../../registry/types.ts';
import { toPolicyRules, type PolicyRule } from './rules.ts';
import { serviceAccountUsername, type UserInfo } from './user.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const KINDS = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'] as const;
export type RbacPlural = typeof KINDS[number];

const RESTART_DELAY_MS = 1000;

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface Binding {
  name: string;
  /** '' for a ClusterRoleBinding. */
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

export function toBinding(obj: KObject): Binding {
  const subjects = Array.isArray(obj.subjects) ? obj.subjects.filter((s: unknown) => s && typeof s === 'object') : [];
  return {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? '',
    roleRef: { kind: String(obj.roleRef?.kind ?? ''), name: String(obj.roleRef?.name ?? ''), apiGroup: obj.roleRef?.apiGroup },
    subjects: subjects.map((s: KObject) => ({ kind: String(s.kind ?? ''), name: String(s.name ?? ''), namespace: s.namespace, apiGroup: s.apiGroup })),
  };
}

/** Who a subject names: a user (a ServiceAccount is its username) or a group; undefined when it names nobody. */
function subjectKey(subject: Subject, bindingNamespace: string): { user: string } | { group: string } | undefined {
  switch (subject.kind) {
    case 'User': return { user: subject.name };
    case 'Group': return { group: subject.name };
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace ? { user: serviceAccountUsername(namespace, subject.name) } : undefined;
    }
    default: return undefined;
  }
}

type Bindings = Map<string, Binding>;

function addNew(found: Binding[], from: number, bindings: Bindings | undefined): void {
  if (!bindings) return;
  for (const binding of bindings.values()) if (found.indexOf(binding, from) < 0) found.push(binding);
}

/** Bindings by the users and groups their subjects name. */
class SubjectIndex {
  private readonly users = new Map<string, Bindings>();
  private readonly groups = new Map<string, Bindings>();

  add(binding: Binding): void {
    for (const subject of binding.subjects) {
      const key = subjectKey(subject, binding.namespace);
      if (!key) continue;
      const [index, name] = 'user' in key ? [this.users, key.user] : [this.groups, key.group];
      let bindings = index.get(name);
      if (!bindings) index.set(name, bindings = new Map());
      bindings.set(binding.name, binding);
    }
  }

  remove(binding: Binding): void {
    for (const subject of binding.subjects) {
      const key = subjectKey(subject, binding.namespace);
      if (!key) continue;
      const [index, name] = 'user' in key ? [this.users, key.user] : [this.groups, key.group];
      const bindings = index.get(name);
      bindings?.delete(binding.name);
      if (bindings?.size === 0) index.delete(name);
    }
  }

  /** Adds to found the bindings naming the user, directly, as a service account, or through a group; each once. */
  collect(user: UserInfo, found: Binding[]): void {
    const first = found.length;
    addNew(found, first, this.users.get(user.name));
    for (const group of user.groups) addNew(found, first, this.groups.get(group));
  }

  get empty(): boolean {
    return this.users.size === 0 && this.groups.size === 0;
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

interface Waiter {
  done(): boolean;
  resolve(): void;
}

export class RbacCache {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterRoleBindings = new Map<string, Binding>();
  private readonly roleBindings = new Map<string, Binding>();
  private readonly clusterIndex = new SubjectIndex();
  private readonly namespaceIndexes = new Map<string, SubjectIndex>();
  /** Per kind, the store revision the cache is current with, and the revision of each object it holds. */
  private readonly revisions = new Map<RbacPlural, number>();
  private readonly versions = new Map<RbacPlural, Map<string, number>>(KINDS.map((plural) => [plural, new Map()]));
  private waiters: Waiter[] = [];
  private readonly watchers = new Map<RbacPlural, { close(): void }>();
  private stopped = false;
  /** Resolves once every kind has been listed. */
  readonly synced: Promise<void>;

  constructor(private readonly objects: ObjectService, private readonly logger: Logger) {
    this.synced = Promise.all(KINDS.map((plural) => new Promise<void>((resolve) => this.follow(plural, resolve)))).then(() => {});
  }

  stop(): void {
    this.stopped = true;
    for (const watcher of this.watchers.values()) watcher.close();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  clusterRoleRules(name: string): PolicyRule[] | undefined {
    return this.clusterRoles.get(name);
  }

  roleRules(namespace: string, name: string): PolicyRule[] | undefined {
    return this.roles.get(objectKey(namespace, name));
  }

  /** The ClusterRoleBindings naming the user, then (with a namespace) that namespace's RoleBindings naming it. */
  bindingsFor(user: UserInfo, namespace: string): Binding[] {
    const found: Binding[] = [];
    this.clusterIndex.collect(user, found);
    if (namespace) this.namespaceIndexes.get(namespace)?.collect(user, found);
    return found;
  }

  /**
   * Resolves true once the cache holds the kind as of revision (the revision of a write), or false after
   * timeoutMs (the watch is behind: the write will count as soon as it catches up).
   */
  observed(plural: RbacPlural, revision: number, timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => (this.revisions.get(plural) ?? 0) >= revision, timeoutMs);
  }

  /** As observed(), for the deletion of an object whose last revision was revision. */
  observedDeletion(plural: RbacPlural, namespace: string | undefined, name: string, revision: number, timeoutMs: number): Promise<boolean> {
    const key = objectKey(namespace, name);
    return this.waitUntil(() => (this.versions.get(plural)!.get(key) ?? Infinity) > revision, timeoutMs);
  }

  private waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done() || this.stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = { done, resolve: () => { clearTimeout(timer); resolve(true); } };
      this.waiters.push(waiter);
    });
  }

  private advance(plural: RbacPlural, revision: number): void {
    if (revision > (this.revisions.get(plural) ?? 0)) this.revisions.set(plural, revision);
    if (!this.waiters.length) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.done()) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }

  /** Lists the kind, then applies every change; after a watch failure, lists again and starts over. */
  private follow(plural: RbacPlural, synced: () => void): void {
    if (this.stopped) return;
    const resource = this.objects.registry.lookup(RBAC_GROUP, 'v1', plural) as ResourceInfo;
    let listing: KObject[] | undefined = [];
    this.watchers.set(plural, this.objects.watch(resource, undefined, {
      sendInitialState: true,
      onInitialStateSent: (revision) => {
        this.replace(plural, listing!);
        listing = undefined;
        this.advance(plural, revision);
        synced();
      },
    }, (event) => {
      if (listing) {
        listing.push(event.object);
        return;
      }
      if (event.type === 'DELETED') this.remove(plural, event.object);
      else this.put(plural, event.object);
      this.advance(plural, Number(event.object.metadata.resourceVersion));
    }, (error) => {
      this.watchers.get(plural)?.close();
      if (this.stopped) return;
      this.logger.warn({ err: error, resource: plural }, 'RBAC cache watch failed; listing again');
      setTimeout(() => this.follow(plural, synced), RESTART_DELAY_MS).unref();
    }));
  }

  private replace(plural: RbacPlural, objects: KObject[]): void {
    this.versions.get(plural)!.clear();
    switch (plural) {
      case 'clusterroles': this.clusterRoles.clear(); break;
      case 'roles': this.roles.clear(); break;
      case 'clusterrolebindings':
        for (const binding of this.clusterRoleBindings.values()) this.clusterIndex.remove(binding);
        this.clusterRoleBindings.clear();
        break;
      case 'rolebindings':
        this.roleBindings.clear();
        this.namespaceIndexes.clear();
        break;
    }
    for (const obj of objects) this.put(plural, obj);
  }

  private put(plural: RbacPlural, obj: KObject): void {
    const { name, namespace } = obj.metadata;
    this.versions.get(plural)!.set(objectKey(namespace, name), Number(obj.metadata.resourceVersion));
    switch (plural) {
      case 'clusterroles': this.clusterRoles.set(name, toPolicyRules(obj.rules)); break;
      case 'roles': this.roles.set(objectKey(namespace, name), toPolicyRules(obj.rules)); break;
      case 'clusterrolebindings': {
        this.removeClusterBinding(name);
        const binding = toBinding(obj);
        this.clusterRoleBindings.set(name, binding);
        this.clusterIndex.add(binding);
        break;
      }
      case 'rolebindings': {
        this.removeRoleBinding(namespace, name);
        const binding = toBinding(obj);
        this.roleBindings.set(objectKey(namespace, name), binding);
        let index = this.namespaceIndexes.get(namespace);
        if (!index) this.namespaceIndexes.set(namespace, index = new SubjectIndex());
        index.add(binding);
        break;
      }
    }
  }

  private remove(plural: RbacPlural, obj: KObject): void {
    const { name, namespace } = obj.metadata;
    this.versions.get(plural)!.delete(objectKey(namespace, name));
    switch (plural) {
      case 'clusterroles': this.clusterRoles.delete(name); break;
      case 'roles': this.roles.delete(objectKey(namespace, name)); break;
      case 'clusterrolebindings': this.removeClusterBinding(name); break;
      case 'rolebindings': this.removeRoleBinding(namespace, name); break;
    }
  }

  private removeClusterBinding(name: string): void {
    const old = this.clusterRoleBindings.get(name);
    if (!old) return;
    this.clusterIndex.remove(old);
    this.clusterRoleBindings.delete(name);
  }

  private removeRoleBinding(namespace: string, name: string): void {
    const key = objectKey(namespace, name);
    const old = this.roleBindings.get(key);
    if (!old) return;
    const index = this.namespaceIndexes.get(namespace)!;
    index.remove(old);
    if (index.empty) this.namespaceIndexes.delete(namespace);
    this.roleBindings.delete(key);
  }
}
