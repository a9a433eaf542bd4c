// Many lightweight member clusters in one process, for the propagation figure: each is a full member server
// (its own store, API server, controllers and workload simulation) on its own port. Their stores are in-memory
// SQLite: real members commit to their own disks in parallel, while here every commit (fsync) would block the
// one event loop all members share, one member after the other.
// Usage: node --import tsx bench/member-host.ts DIR COUNT. Writes DIR/members.json ([{ name, url, kubeconfig }])
// and prints `ready DIR/members.json`.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMBER_SIMULATION } from '../src/controllers/index.ts';
import { startControlPlane, type ControlPlane } from '../src/controlplane/controlplane.ts';

/** Members started at the same time. */
const STARTUP_CONCURRENCY = 8;

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
if (!dir || !Number.isInteger(count) || count < 1) throw new Error('usage: member-host.ts DIR COUNT');

const names = Array.from({ length: count }, (_, i) => `member${i + 1}`);
const members: ControlPlane[] = [];

const start = (name: string) => startControlPlane({
  dir: join(dir, name), port: 0, role: 'member', context: name, logLevel: 'warn', extraControllers: MEMBER_SIMULATION,
  store: 'sqlite::memory:',
});

// The first member makes a CA, serving certificate and token; the others reuse them (copied before their first
// start), which saves two RSA key generations per member and changes nothing else.
members.push(await start(names[0]!));
let next = 1;
await Promise.all(Array.from({ length: STARTUP_CONCURRENCY }, async () => {
  while (next < count) {
    const i = next++;
    cpSync(join(dir, names[0]!, 'pki'), join(dir, names[i]!, 'pki'), { recursive: true });
    members[i] = await start(names[i]!);
  }
}));

const list = members.map((m, i) => ({ name: names[i]!, url: m.url, kubeconfig: m.kubeconfigPath }));
writeFileSync(join(dir, 'members.json'), JSON.stringify(list));
process.stdout.write(`ready ${join(dir, 'members.json')}\n`);

const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  void Promise.allSettled(members.map((m) => m.stop())).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
