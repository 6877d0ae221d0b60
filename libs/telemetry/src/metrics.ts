import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/** The process's metrics, served at `/metrics`. */
export const metricsRegistry = new Registry();

/**
 * Each metric is defined once per process by the library that records it; asking again (a module
 * loaded twice, say) returns the one already registered.
 */
function defined<M>(name: string, create: () => M): M {
  return (metricsRegistry.getSingleMetric(name) as M | undefined) ?? create();
}

export function counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return defined(config.name, () => new Counter({ ...config, registers: [metricsRegistry] }));
}

export function histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return defined(config.name, () => new Histogram({ ...config, registers: [metricsRegistry] }));
}

export function gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return defined(config.name, () => new Gauge({ ...config, registers: [metricsRegistry] }));
}

let collectingProcessMetrics = false;

/** Node's own figures (CPU, memory, event-loop lag, ...) beside Cairn's, once per process. */
export function collectProcessMetrics(): void {
  if (collectingProcessMetrics) return;
  collectingProcessMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** A counter's or gauge's current value for exactly these labels (0 when never recorded), as a scrape shows it. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  const wanted = Object.entries(labels);
  const found = values.find(
    (value) => Object.keys(value.labels).length === wanted.length && wanted.every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return found?.value ?? 0;
}
