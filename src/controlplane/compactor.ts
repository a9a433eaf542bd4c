// Periodic store compaction, as kube-apiserver does it for etcd: each interval, history older than the
// revision seen at the previous interval is dropped.
import type { Logger } from 'pino';
import type { Store } from '../storage/store.ts';

export function startCompactor(store: Store, intervalMs: number, logger: Logger): () => void {
  if (intervalMs <= 0) return () => {};
  let previous = 0;
  const timer = setInterval(() => {
    void (async () => {
      const current = await store.currentRevision();
      if (previous > 0 && previous > (await store.compactedRevision())) {
        await store.compact(previous);
        logger.debug({ revision: previous }, 'store compacted');
      }
      previous = current;
    })().catch((err) => logger.warn({ err }, 'store compaction failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
