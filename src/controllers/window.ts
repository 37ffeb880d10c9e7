import type { FeedbackSample } from './controller.ts'

/** Mean `latencyMs` of the samples that report a finite one (negatives count as 0); undefined when none do. */
export function meanLatencyMs(samples: readonly FeedbackSample[]): number | undefined {
  const latencies = samples.map((sample) => sample.feedback.latencyMs).filter((ms): ms is number => ms !== undefined && Number.isFinite(ms))
  if (latencies.length === 0) return undefined
  return latencies.reduce((mean, ms) => mean + Math.max(0, ms) / latencies.length, 0)
}
