import { performance } from 'node:perf_hooks';

/** The sample at or below which `p` per cent of the samples lie (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `<label>: p50 … ms, p95 … ms (n calls)` */
export function latencyLine(label: string, samples: number[]): string {
  return `${label}: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (${samples.length} calls)`;
}

/** Prints `latencyLine`; with a baseline (the raw broker or database doing the same), the ratio of the p50s too. */
export function figures(label: string, samples: number[], baseline?: number[]): void {
  const line = latencyLine(label, samples);
  if (!baseline) return console.log(line);
  const ratio = percentile(samples, 50) / percentile(baseline, 50);
  console.log(`${line}; raw p50 ${percentile(baseline, 50).toFixed(1)} ms, p95 ${percentile(baseline, 95).toFixed(1)} ms; ours/raw ${ratio.toFixed(2)}`);
}

/** Runs the call and adds its duration in milliseconds to `samples`. */
export async function timed<T>(samples: number[], call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await call();
  samples.push(performance.now() - started);
  return result;
}
