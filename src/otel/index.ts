/**
 * loadbatch/otel: a batcher's or supervisor's metrics through your OpenTelemetry meter.
 * Needs `@opentelemetry/api` (an optional peer dependency) and an SDK of your choice.
 * @packageDocumentation
 */
export { otelMetrics, type OtelMetricsOptions, type OtelMetricsHandle } from './otelMetrics.ts'
