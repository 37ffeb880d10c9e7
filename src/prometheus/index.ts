/**
 * loadbatch/prometheus: a batcher's or supervisor's metrics in your prom-client registry.
 * Needs `prom-client` (an optional peer dependency).
 * @packageDocumentation
 */
export { prometheusMetrics, type PrometheusMetricsOptions, type PrometheusMetricsHandle } from './prometheusMetrics.ts'
