// A work queue of keys for level-triggered reconcilers: each key is processed by one worker at a time,
// duplicates collapse, failures retry with exponential backoff per key.
export interface QueueOptions {
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onError?(key: string, error: unknown): void;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly resyncs = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly reconcile: (key: string) => Promise<void | { requeueAfterMs: number }>,
    private readonly options: QueueOptions = {}) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.order.push(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Adds key again after delayMs, replacing any resync already pending for it (periodic resyncs). */
  resyncAfter(key: string, delayMs: number): void {
    this.forget(key);
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.resyncs.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.resyncs.set(key, timer);
  }

  /** Cancels the pending resync of key. */
  forget(key: string): void {
    clearTimeout(this.resyncs.get(key));
    this.resyncs.delete(key);
  }

  stop(): void {
    this.stopped = true;
    for (const t of [...this.timers, ...this.resyncs.values()]) clearTimeout(t);
    this.timers.clear();
    this.resyncs.clear();
  }

  /** Resolves when nothing is queued or running (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.order.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const workers = this.options.workers ?? 4;
    while (!this.stopped && this.running < workers && this.order.length) {
      const key = this.order.shift()!;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.running === 0 && this.order.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result && result.requeueAfterMs >= 0) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.options.onError?.(key, error);
      const base = this.options.baseDelayMs ?? 100;
      this.addAfter(key, Math.min(base * 2 ** (n - 1), this.options.maxDelayMs ?? 30_000));
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
