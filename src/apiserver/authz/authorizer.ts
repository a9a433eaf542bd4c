// The server's authorizer, as kube-apiserver chains them: members of system:masters are allowed everything,
// everyone else is decided by RBAC.
import type { Logger } from 'pino';
import type { ObjectService } from '../../registry/objects.ts';
import type { Attributes } from './attributes.ts';
import { RbacCache } from './cache.ts';
import { aggregate, RbacAuthorizer, RuleResolver, type Decision } from './rbac.ts';
import type { PolicyRule } from './rules.ts';
import { SYSTEM_MASTERS, type UserInfo } from './user.ts';

export type { Decision };

export class Authorizer {
  readonly cache: RbacCache;
  /** Resolves rules as the RBAC registry's escalation checks do. */
  readonly registryResolver: RuleResolver;
  private readonly rbac: RbacAuthorizer;

  constructor(objects: ObjectService, logger: Logger) {
    this.cache = new RbacCache(objects, logger);
    this.rbac = new RbacAuthorizer(new RuleResolver(this.cache, 'lister'));
    this.registryResolver = new RuleResolver(this.cache, 'registry');
  }

  authorize(attributes: Attributes): Decision {
    if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    return this.rbac.authorize(attributes);
  }

  /** The rules a user holds in a namespace, as SelfSubjectRulesReview reports them. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; evaluationError?: string } {
    const { rules, errors } = this.rbac.resolver.rulesFor(user, namespace);
    return errors.length ? { rules, evaluationError: aggregate(errors) } : { rules };
  }

  stop(): void {
    this.cache.stop();
  }
}
