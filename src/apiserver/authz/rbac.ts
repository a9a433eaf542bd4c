// The RBAC rule resolver and authorizer (upstream's DefaultRuleResolver and RBACAuthorizer): the rules a user
// holds in a namespace come from the ClusterRoleBindings and that namespace's RoleBindings naming the user.
import type { Attributes } from './attributes.ts';
import { RBAC_GROUP, type Binding, type RbacCache, type RoleRef, type Subject } from './cache.ts';
import { goQuote } from './quote.ts';
import { ruleAllows, type PolicyRule } from './rules.ts';
import { serviceAccountUsername, type UserInfo } from './user.ts';

export interface Decision {
  allowed: boolean;
  /** Why it was allowed (which binding), or what went wrong looking for a rule; may be empty. */
  reason: string;
}

/** Called per rule (with where it comes from) or per resolution error; returns false to stop. */
type Visitor = (source: () => string, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/**
 * How a missing role reads: the authorizer's listers say `clusterrole.rbac.authorization.k8s.io "x" not found`,
 * the registry's escalation checks `clusterroles.rbac.authorization.k8s.io "x" not found`.
 */
export type MissingRoleStyle = 'lister' | 'registry';

export class RuleResolver {
  constructor(private readonly cache: RbacCache, private readonly style: MissingRoleStyle) {}

  /** The rules of the role a binding in namespace (or '' for a ClusterRoleBinding) refers to, or an error text. */
  roleReferenceRules(ref: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    let rules: PolicyRule[] | undefined;
    let resource: string;
    if (ref.kind === 'Role') {
      rules = this.cache.roleRules(namespace, ref.name);
      resource = 'role';
    } else if (ref.kind === 'ClusterRole') {
      rules = this.cache.clusterRoleRules(ref.name);
      resource = 'clusterrole';
    } else {
      return { error: `unsupported role reference kind: ${goQuote(ref.kind)}` };
    }
    if (rules) return { rules };
    const qualified = `${resource}${this.style === 'registry' ? 's' : ''}.${RBAC_GROUP}`;
    return { error: `${qualified} ${goQuote(ref.name)} not found` };
  }

  visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    for (const binding of this.cache.clusterRoleBindingsFor(user)) {
      if (!this.visitBinding(user, binding, visit)) return;
    }
    if (!namespace) return;
    for (const binding of this.cache.roleBindingsFor(user, namespace)) {
      if (!this.visitBinding(user, binding, visit)) return;
    }
  }

  /** Every rule the user holds in namespace, and the errors met resolving them. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error) errors.push(error);
      return true;
    });
    return { rules, errors };
  }

  private visitBinding(user: UserInfo, binding: Binding, visit: Visitor): boolean {
    const subject = binding.subjects.find((s) => appliesTo(user, s, binding.namespace));
    if (!subject) return true;
    const resolved = this.roleReferenceRules(binding.roleRef, binding.namespace);
    if ('error' in resolved) return visit(() => '', undefined, resolved.error);
    const source = () => describeSource(binding, subject);
    for (const rule of resolved.rules) if (!visit(source, rule, undefined)) return false;
    return true;
  }
}

function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return user.name === subject.name;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.name === serviceAccountUsername(namespace, subject.name);
    }
    default: return false;
  }
}

function describeSource(binding: Binding, subject: Subject): string {
  const who = subject.kind === 'ServiceAccount'
    ? `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace || binding.namespace}`)}`
    : `${subject.kind} ${goQuote(subject.name)}`;
  const role = `${binding.roleRef.kind} ${goQuote(binding.roleRef.name)}`;
  return binding.namespace
    ? `RoleBinding ${goQuote(`${binding.name}/${binding.namespace}`)} of ${role} to ${who}`
    : `ClusterRoleBinding ${goQuote(binding.name)} of ${role} to ${who}`;
}

export class RbacAuthorizer {
  constructor(readonly resolver: RuleResolver) {}

  authorize(attributes: Attributes): Decision {
    let reason = '';
    const errors: string[] = [];
    this.resolver.visitRulesFor(attributes.user, attributes.namespace, (source, rule, error) => {
      if (rule && ruleAllows(attributes, rule)) {
        reason = `RBAC: allowed by ${source()}`;
        return false;
      }
      if (error) errors.push(error);
      return true;
    });
    if (reason) return { allowed: true, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }
}

/** utilerrors.NewAggregate's text: one error as is, several (deduplicated) in brackets. */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
