// canopy migrate --from sqlite:PATH --to etcd://...
import type { Command } from 'commander';
import { redact } from '../storage/etcd/url.ts';
import { migrate } from '../storage/migrate.ts';

export function registerMigrateCommand(program: Command, run: (work: () => Promise<void>) => Promise<void>): void {
  program.command('migrate')
    .description('Copy the state of a stopped canopy from its SQLite store to etcd (every object, newest version)')
    .requiredOption('--from <url>', 'sqlite:PATH of the store, e.g. sqlite:.canopy/canopy.db')
    .requiredOption('--to <url>', 'etcd://HOST:PORT[,HOST:PORT...][?cacert=FILE&cert=FILE&key=FILE&user=NAME[:PASSWORD]]')
    .option('--force', 'copy even when etcd holds keys under /registry/ already (the keys both hold are overwritten)')
    .action((opts) => run(async () => {
      const result = await migrate({ from: opts.from, to: opts.to, force: Boolean(opts.force) });
      const width = Math.max(0, ...[...result.byResource.keys()].map((r) => r.length));
      for (const [resource, count] of [...result.byResource].sort(([a], [b]) => a.localeCompare(b))) {
        process.stdout.write(`${resource.padEnd(width)}  ${count}\n`);
      }
      const overwritten = result.overwritten ? ` (${result.overwritten} overwritten)` : '';
      process.stdout.write(`copied ${result.copied} keys${overwritten} from ${opts.from} to ${redact(opts.to)}; `
        + 'objects have new resourceVersions, so clients list again\n');
    }));
}
