// ClusterRole aggregation, as upstream's clusterrole-aggregation controller: a ClusterRole with an
// aggregationRule holds the union of the rules of the ClusterRoles its selectors match (itself excepted,
// each distinct rule once, in the order of the matching roles' names). Any ClusterRole change rechecks every
// aggregated role: the set is small and which role feeds which is not known in advance.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { labelSelectorFromObject, matches } from '../apiserver/selectors.ts';
import { fromPolicyRule, toPolicyRules, type PolicyRule } from '../apiserver/authz/rules.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { Informer } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound } from './runtime.ts';

export function clusterRoleAggregationController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'clusterrole-aggregation' });
  const clusterRoles = objects.registry.lookup('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const queue = new WorkQueue((name) => reconcile(name), {
    onError: (name, err) => log.warn({ clusterRole: name, err: errorText(err) }, 'clusterrole aggregation failed; retrying'),
  });
  const informer = new Informer(objects, clusterRoles, () => {
    for (const role of informer.list()) if (role.aggregationRule) queue.add(role.metadata.name);
  });

  async function reconcile(name: string): Promise<void> {
    await informer.synced;
    const role = informer.get(undefined, name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, informer.list());
    if (isDeepStrictEqual(rules, toPolicyRules(role.rules))) return;
    await objects.modify(clusterRoles, undefined, name, (current) => ({ ...current, rules: rules.map(fromPolicyRule) }))
      .catch(ignoreNotFound);
  }

  return {
    async stop() {
      informer.stop();
      queue.stop();
    },
  };
}

function aggregatedRules(role: KObject, all: KObject[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const sorted = [...all].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const selectorObject of role.aggregationRule.clusterRoleSelectors ?? []) {
    const selector = labelSelectorFromObject(selectorObject);
    for (const source of sorted) {
      if (source.metadata.name === role.metadata.name || !matches(selector, source.metadata.labels)) continue;
      for (const rule of toPolicyRules(source.rules)) {
        if (!rules.some((r) => isDeepStrictEqual(r, rule))) rules.push(rule);
      }
    }
  }
  return rules;
}
