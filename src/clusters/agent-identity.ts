// Who a Pull cluster's agent is on the control plane: the user its certificate names, and the group its
// bootstrap token carries before it has one.
export const AGENT_GROUP = 'system:karmada:agents';
const AGENT_USER_PREFIX = 'system:karmada:agent:';

export const agentUser = (cluster: string) => `${AGENT_USER_PREFIX}${cluster}`;

/** The cluster whose agent the user name is, if it is an agent's. */
export function agentClusterOf(user: string): string | undefined {
  return user.startsWith(AGENT_USER_PREFIX) && user.length > AGENT_USER_PREFIX.length ? user.slice(AGENT_USER_PREFIX.length) : undefined;
}

/** The group of every Pull cluster's bootstrap token (Karmada's): it may create certificate signing requests. */
export const AGENT_BOOTSTRAP_GROUP = 'system:bootstrappers:karmada:default-cluster-token';

/** The extra group of a bootstrap token that may register only this cluster. */
export const bootstrapGroupOf = (cluster: string) => `system:bootstrappers:canopy:cluster:${cluster}`;
