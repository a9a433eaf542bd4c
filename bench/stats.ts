// Latency samples and summary statistics.

export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  add(value: number): void {
    if (this.n === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** The q-quantile (0..1) by nearest rank; NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const sorted = this.data.slice(0, this.n).sort();
    const rank = Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1));
    return sorted[rank]!;
  }
}

export interface Measurement {
  /** Completed operations (successful ones). */
  ops: number;
  errors: number;
  seconds: number;
  /** Successful operations per second. */
  rate: number;
  p50: number;
  p99: number;
  /** Free-form extra facts for the report (bytes per response, and so on). */
  notes?: string[];
}

export function summarize(samples: Samples, errors: number, seconds: number, notes?: string[]): Measurement {
  return {
    ops: samples.count, errors, seconds,
    rate: seconds > 0 ? samples.count / seconds : 0,
    p50: samples.quantile(0.5), p99: samples.quantile(0.99), notes,
  };
}

export const now = (): number => performance.now();
