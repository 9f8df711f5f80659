import { Counter, CounterConfiguration, Gauge, GaugeConfiguration, register } from 'prom-client';

// A second app instance in one process (tests) must reuse the registered metric, not register it twice.

/** The counter registered under `config.name`, registered now if it is not yet. */
export function counterMetric<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

/** The gauge registered under `config.name`, registered now if it is not yet. */
export function gaugeMetric<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}
