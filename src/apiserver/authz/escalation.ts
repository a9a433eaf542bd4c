// Writes of RBAC objects through the API, as upstream's RBAC registry makes them: nobody grants a permission
// they do not hold themselves unless allowed to `escalate` (roles) or `bind` (bindings), and a write is
// acknowledged only once the authorizer's cache has it, so that it counts from the client's next request.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { DeleteOptions, KObject, ObjectService, WriteContext } from '../../registry/objects.ts';
import type { ResourceInfo } from '../../registry/types.ts';
import { forbiddenRequest } from '../errors.ts';
import type { Attributes } from './attributes.ts';
import type { Authorizer } from './authorizer.ts';
import { RBAC_GROUP, toBinding, type RbacPlural, type RoleRef } from './cache.ts';
import { aggregate } from './rbac.ts';
import { goQuote, goQuoteList } from '../../gofmt.ts';
import { compactRules, compactString, toPolicyRules, uncovered, type PolicyRule } from './rules.ts';
import { SYSTEM_MASTERS, type UserInfo } from './user.ts';

/** How long a write waits for the cache to catch up before it is acknowledged anyway. */
const CACHE_WAIT_MS = 10_000;

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] },
  { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] },
];

const RBAC_PLURALS = new Set<string>(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

function rbacPlural(res: ResourceInfo): RbacPlural | undefined {
  return res.group === RBAC_GROUP && RBAC_PLURALS.has(res.plural) ? res.plural as RbacPlural : undefined;
}

export class RbacWrites {
  constructor(private readonly authorizer: Authorizer, private readonly logger: Logger) {}

  /**
   * The object service as a request by user sees it: writes of RBAC objects checked and waited for.
   * A view (the service is its prototype), so that what the service calls on itself goes through it too.
   */
  objectsFor(objects: ObjectService, user: UserInfo): ObjectService {
    const writes = this;
    const view = Object.create(objects) as ObjectService;
    view.create = async function (res: ResourceInfo, namespace: string | undefined, input: KObject, ctx: WriteContext = {}) {
      const plural = rbacPlural(res);
      if (plural) writes.check(user, res, plural, namespace, '', input, undefined);
      const created = await objects.create.call(this, res, namespace, input, ctx);
      if (plural && !ctx.dryRun) await writes.waitForCache(plural, created);
      return created;
    };
    view.update = async function (res: ResourceInfo, namespace: string | undefined, name: string, input: KObject,
      ctx: WriteContext = {}, subresource?: string) {
      const plural = rbacPlural(res);
      if (plural) {
        const old = await objects.tryGet(res, namespace, name);
        if (old) writes.check(user, res, plural, namespace, name, input, old);
      }
      const result = await objects.update.call(this, res, namespace, name, input, ctx, subresource);
      if (plural && !ctx.dryRun) await writes.waitForCache(plural, result.object);
      return result;
    };
    view.modify = async function (res: ResourceInfo, namespace: string | undefined, name: string,
      transform: (current: KObject) => KObject | Promise<KObject>, ctx: WriteContext = {}, subresource?: string) {
      const plural = rbacPlural(res);
      const checked = plural
        ? async (current: KObject) => {
          const desired = await transform(structuredClone(current));
          writes.check(user, res, plural, namespace, name, desired, current);
          return desired;
        }
        : transform;
      const modified = await objects.modify.call(this, res, namespace, name, checked, ctx, subresource);
      if (plural && !ctx.dryRun) await writes.waitForCache(plural, modified);
      return modified;
    };
    view.delete = async function (res: ResourceInfo, namespace: string | undefined, name: string,
      options: DeleteOptions = {}, ctx: WriteContext = {}) {
      const result = await objects.delete.call(this, res, namespace, name, options, ctx);
      const plural = rbacPlural(res);
      if (plural && !ctx.dryRun) {
        if (result.deleted) await writes.waitForCacheDeletion(plural, namespace, name, result.object);
        else await writes.waitForCache(plural, result.object);
      }
      return result;
    };
    return view;
  }

  /** Throws Forbidden unless user may write obj (old: the object it replaces). */
  private check(user: UserInfo, res: ResourceInfo, plural: RbacPlural, namespace: string | undefined, requestName: string,
    obj: KObject, old: KObject | undefined): void {
    if (user.groups.includes(SYSTEM_MASTERS)) return;
    const ns = namespace ?? '';
    const name = String(obj?.metadata?.name ?? requestName);
    if (plural === 'roles' || plural === 'clusterroles') {
      if (this.allowed({ user, verb: 'escalate', apiGroup: res.group, resource: res.plural, namespace: ns, name: requestName })) return;
      if (old && onlyGarbageCollectionFieldsChanged(obj, old)) return;
      this.confirmNoEscalation(user, ns, toPolicyRules(obj?.rules), res, name);
      if (plural === 'clusterroles' && (hasAggregationRule(obj) || (old && hasAggregationRule(old)))
        && this.missing(user, ns, FULL_AUTHORITY).missing.length) {
        throw forbiddenRequest(res, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
      return;
    }
    if (old && onlyGarbageCollectionFieldsChanged(obj, old)) return;
    const { roleRef } = toBinding({ ...obj, metadata: { ...obj?.metadata, name, namespace } });
    if (this.bindAuthorized(user, roleRef, ns)) return;
    const rules = this.authorizer.registryResolver.roleReferenceRules(roleRef, ns);
    if (typeof rules === 'string') throw forbiddenRequest(res, name, rules);
    this.confirmNoEscalation(user, ns, rules, res, name);
  }

  private bindAuthorized(user: UserInfo, roleRef: RoleRef, namespace: string): boolean {
    const resource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : roleRef.kind === 'Role' ? 'roles' : undefined;
    return resource !== undefined
      && this.allowed({ user, verb: 'bind', apiGroup: roleRef.apiGroup ?? '', resource, namespace, name: roleRef.name });
  }

  private allowed(a: Pick<Attributes, 'user' | 'verb' | 'apiGroup' | 'resource' | 'namespace' | 'name'>): boolean {
    return this.authorizer.authorize({ ...a, resourceRequest: true, path: '', apiVersion: '*', subresource: '' }).allowed;
  }

  private missing(user: UserInfo, namespace: string, wanted: PolicyRule[]): { missing: PolicyRule[]; errors: string[] } {
    const { rules, errors } = this.authorizer.registryResolver.rulesFor(user, namespace);
    return { missing: uncovered(rules, wanted), errors };
  }

  private confirmNoEscalation(user: UserInfo, namespace: string, wanted: PolicyRule[], res: ResourceInfo, name: string): void {
    const { missing, errors } = this.missing(user, namespace, wanted);
    if (!missing.length) return;
    const described = [...new Set(compactRules(missing).map(compactString))].sort();
    let message = `user ${goQuote(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${described.join('\n')}`;
    if (errors.length) message += `; resolution errors: [${aggregate(errors)}]`;
    throw forbiddenRequest(res, name, message);
  }

  private async waitForCache(plural: RbacPlural, written: KObject): Promise<void> {
    const revision = Number(written.metadata?.resourceVersion);
    if (revision > 0) await this.report(plural, this.authorizer.cache.observed(plural, revision, CACHE_WAIT_MS));
  }

  private async waitForCacheDeletion(plural: RbacPlural, namespace: string | undefined, name: string, last: KObject): Promise<void> {
    const revision = Number(last.metadata.resourceVersion);
    await this.report(plural, this.authorizer.cache.observedDeletion(plural, namespace, name, revision, CACHE_WAIT_MS));
  }

  private async report(plural: RbacPlural, seen: Promise<boolean>): Promise<void> {
    if (!await seen) this.logger.warn({ resource: plural }, 'RBAC cache did not see a write in time; it takes effect once the watch catches up');
  }
}

function hasAggregationRule(role: KObject | undefined): boolean {
  const selectors = role?.aggregationRule?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0;
}

/** Whether obj differs from old only in what the garbage collector changes (owners, finalizers, deletion). */
function onlyGarbageCollectionFieldsChanged(obj: KObject, old: KObject): boolean {
  const strip = (o: KObject) => {
    const { apiVersion: _a, kind: _k, metadata = {}, ...rest } = o ?? {};
    const { ownerReferences: _o, finalizers: _f, selfLink: _s, deletionGracePeriodSeconds: _g, deletionTimestamp: _d, ...meta } = metadata;
    return { ...rest, metadata: meta };
  };
  return isDeepStrictEqual(strip(obj), strip(old));
}
