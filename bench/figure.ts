// What each benchmark figure reports.
import type { Measurement } from './stats.ts';

export interface Row {
  metric: string;
  unit: string;
  value: number;
  baseline: number;
  /** rate: higher is better, ratio = value / baseline. latency: lower is better, shown as value / baseline. */
  kind: 'rate' | 'latency';
  /** The smallest acceptable value / baseline (rate rows only). */
  target?: number;
  /** The value must stay below this, in its unit (latency rows). */
  limit?: number;
}

export interface Figure {
  title: string;
  /** What is measured against what. */
  description: string;
  baselineName: string;
  rows: Row[];
  notes: string[];
  /** A second, smaller table against another baseline, below the first one's notes (not in the storage comparison);
   *  detail is shown after the name in docs/benchmarks.md only. */
  secondBaseline?: { name: string; detail: string; rows: Row[]; notes: string[] };
}

/** The three standard rows of a throughput figure: rate, p50, p99. */
export function standardRows(what: string, unit: string, m: Measurement, base: Measurement, target?: number): Row[] {
  return [
    { metric: what, unit, value: m.rate, baseline: base.rate, kind: 'rate', target },
    { metric: 'latency p50', unit: 'ms', value: m.p50, baseline: base.p50, kind: 'latency' },
    { metric: 'latency p99', unit: 'ms', value: m.p99, baseline: base.p99, kind: 'latency' },
  ];
}

export function describeRun(m: Measurement): string {
  return `${m.ops} ops in ${m.seconds.toFixed(1)} s${m.errors ? `, ${m.errors} errors` : ''}`;
}

export function targetMet(row: Row): boolean | undefined {
  if (row.limit !== undefined) return row.value < row.limit;
  if (row.target === undefined) return undefined;
  return row.value / row.baseline >= row.target;
}
