// Lock files holding the owner's pid: one process per state directory, and short critical sections shared by
// the replicas of one directory. A lock whose owner is dead is taken over.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const WAIT_POLL_MS = 100;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock, or tells which live process holds it. */
function tryLock(path: string): { unlock: () => void } | { owner: number } {
  for (let attempt = 0; attempt < 2; attempt++) {
    // Linked into place whole, so a lock file always holds its owner's pid.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, String(process.pid), { mode: 0o600 });
    try {
      linkSync(tmp, path);
      return { unlock: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(path, 'utf8').trim());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        continue;
      }
      if (owner && owner !== process.pid && alive(owner)) return { owner };
      rmSync(path, { force: true });
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  throw new Error(`could not lock ${path}`);
}

export function lockStateDir(path: string): () => void {
  const lock = tryLock(path);
  if ('owner' in lock) {
    throw new Error(`the state directory is in use by process ${lock.owner} (lock file ${path}); stop it or use another --dir`);
  }
  return lock.unlock;
}

/** Runs fn holding the lock, waiting while another live process holds it. */
export async function withLock<T>(path: string, fn: () => T): Promise<T> {
  for (;;) {
    const lock = tryLock(path);
    if ('unlock' in lock) {
      try {
        return fn();
      } finally {
        lock.unlock();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
