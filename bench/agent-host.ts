// Agents for the Pull-mode propagation figure: one `canopy agent` per member, all in one process (as the member
// host does for the members). Usage: node --import tsx bench/agent-host.ts CONTROL_PLANE_KUBECONFIG MEMBERS_JSON COUNT.
// Prints `ready` once every agent has registered its cluster.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { startAgent } from '../src/agent/agent.ts';
import type { Controller } from '../src/controllers/runtime.ts';
import { MemberClient } from '../src/members/client.ts';

const [controlPlaneKubeconfig, membersJson, countText] = process.argv.slice(2);
const count = Number(countText);
if (!controlPlaneKubeconfig || !membersJson || !Number.isInteger(count) || count < 1) {
  throw new Error('usage: agent-host.ts CONTROL_PLANE_KUBECONFIG MEMBERS_JSON COUNT');
}
const members: Array<{ name: string; kubeconfig: string }> = JSON.parse(readFileSync(membersJson, 'utf8')).slice(0, count);
const controlPlane = readFileSync(controlPlaneKubeconfig, 'utf8');
const logger = pino({ level: 'warn' });
const agents: Controller[] = await Promise.all(members.map((m) => startAgent({
  clusterName: m.name, logger,
  controlPlane: MemberClient.fromKubeconfig(controlPlane),
  member: MemberClient.fromKubeconfig(readFileSync(m.kubeconfig, 'utf8')),
})));
process.stdout.write('ready\n');

const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  void Promise.allSettled(agents.map((a) => a.stop())).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
