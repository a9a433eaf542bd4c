// A closed-loop load generator: `concurrency` workers each issue one operation at a time until the
// duration has passed or maxOps operations have been started, whichever comes first.
import { now, Samples, summarize, type Measurement } from './stats.ts';

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  /** Hard bound on the number of operations started. */
  maxOps: number;
  /** Stop after this many failures (a broken server should not spin for the whole duration). */
  maxErrors?: number;
}

/** Runs op (given a sequence number) under load; op resolves true on success, false on a failure. */
export async function runLoad(options: LoadOptions, op: (seq: number) => Promise<boolean>,
  samples = new Samples()): Promise<Measurement> {
  const before = samples.count;
  let errors = 0;
  let started = 0;
  let firstError: unknown;
  const begin = now();
  const deadline = begin + options.durationMs;
  const maxErrors = options.maxErrors ?? 100;
  const worker = async () => {
    while (started < options.maxOps && errors < maxErrors && now() < deadline) {
      const seq = started++;
      const t0 = now();
      let ok = false;
      try {
        ok = await op(seq);
      } catch (error) {
        firstError ??= error;
      }
      if (ok) samples.add(now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (now() - begin) / 1000;
  if (errors >= maxErrors) {
    throw new Error(`too many failures (${errors}) under load${firstError ? `: ${String((firstError as Error).message ?? firstError)}` : ''}`);
  }
  return { ...summarize(samples, errors, seconds), ops: samples.count - before, rate: (samples.count - before) / seconds };
}

/** Measures two operations in alternating slices (a, b, a, b, ...) so both see the same background load;
 *  each gets `durationMs` in total after a warm-up. */
export async function interleave(options: LoadOptions & { warmupMs: number; slices: number },
  a: (seq: number) => Promise<boolean>, b: (seq: number) => Promise<boolean>): Promise<[Measurement, Measurement]> {
  const slice = { ...options, durationMs: options.durationMs / options.slices };
  await runLoad({ ...options, durationMs: options.warmupMs }, a);
  await runLoad({ ...options, durationMs: options.warmupMs }, b);
  const totals = [a, b].map(() => ({ samples: new Samples(), errors: 0, seconds: 0, ops: 0 }));
  for (let i = 0; i < options.slices; i++) {
    for (const [j, op] of [a, b].entries()) {
      const t = totals[j]!;
      const m = await runLoad({ ...slice, maxOps: Math.max(1, slice.maxOps - t.ops) }, op, t.samples);
      t.errors += m.errors;
      t.seconds += m.seconds;
      t.ops += m.ops;
    }
  }
  const [ma, mb] = totals.map((t) => summarize(t.samples, t.errors, t.seconds));
  return [ma!, mb!];
}
