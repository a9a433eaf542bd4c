// The RBAC rule resolver and authorizer (upstream's DefaultRuleResolver and RBACAuthorizer): the rules a user
// holds in a namespace come from the ClusterRoleBindings and that namespace's RoleBindings naming the user.
import type { Attributes } from './attributes.ts';
import { RBAC_GROUP, type Binding, type RbacCache, type RoleRef, type Subject } from './cache.ts';
import { goQuote } from '../../gofmt.ts';
import { ruleAllows, type PolicyRule } from './rules.ts';
import { serviceAccountUsername, type UserInfo } from './user.ts';

export interface Decision {
  allowed: boolean;
  /** Why it was allowed (which binding), or what went wrong looking for a rule; may be empty. */
  reason: string;
}

/**
 * How a missing role reads: the authorizer's listers say `clusterrole.rbac.authorization.k8s.io "x" not found`,
 * the registry's escalation checks `clusterroles.rbac.authorization.k8s.io "x" not found`.
 */
export type MissingRoleStyle = 'lister' | 'registry';

export class RuleResolver {
  constructor(private readonly cache: RbacCache, private readonly style: MissingRoleStyle) {}

  /** The rules of the role a binding in namespace (or '' for a ClusterRoleBinding) refers to, or an error text. */
  roleReferenceRules(ref: RoleRef, namespace: string): PolicyRule[] | string {
    let rules: PolicyRule[] | undefined;
    let resource: string;
    if (ref.kind === 'Role') {
      rules = this.cache.roleRules(namespace, ref.name);
      resource = 'role';
    } else if (ref.kind === 'ClusterRole') {
      rules = this.cache.clusterRoleRules(ref.name);
      resource = 'clusterrole';
    } else {
      return `unsupported role reference kind: ${goQuote(ref.kind)}`;
    }
    if (rules) return rules;
    return `${resource}${this.style === 'registry' ? 's' : ''}.${RBAC_GROUP} ${goQuote(ref.name)} not found`;
  }

  /** The bindings that apply to the user in namespace ('' for cluster-wide only), each with the subject naming it. */
  *applicable(user: UserInfo, namespace: string): Generator<{ binding: Binding; subject: Subject }> {
    for (const binding of this.cache.bindingsFor(user, namespace)) {
      const subject = binding.subjects.find((s) => appliesTo(user, s, binding.namespace));
      if (subject) yield { binding, subject };
    }
  }

  /** Every rule the user holds in namespace, and the errors met resolving them. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    for (const { binding } of this.applicable(user, namespace)) {
      const resolved = this.roleReferenceRules(binding.roleRef, binding.namespace);
      if (typeof resolved === 'string') errors.push(resolved);
      else rules.push(...resolved);
    }
    return { rules, errors };
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
    let errors: string[] | undefined;
    for (const { binding, subject } of this.resolver.applicable(attributes.user, attributes.namespace)) {
      const rules = this.resolver.roleReferenceRules(binding.roleRef, binding.namespace);
      if (typeof rules === 'string') {
        (errors ??= []).push(rules);
        continue;
      }
      for (const rule of rules) {
        if (ruleAllows(attributes, rule)) return { allowed: true, reason: `RBAC: allowed by ${describeSource(binding, subject)}` };
      }
    }
    return { allowed: false, reason: errors ? `RBAC: ${aggregate(errors)}` : '' };
  }
}

/** utilerrors.NewAggregate's text: one error as is, several (deduplicated) in brackets. */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
