/** Flush samples for autoTune's unit tests: healthy ones, and ones where a share of the items failed. */
import type { ControlTarget, FeedbackSample } from '../../src/controllers/controller.ts'

let seq = 0

/** `count` healthy flush samples of `target`, each `ms` long, ending at `at`. */
export function healthy(target: ControlTarget, count: number, ms: number, at: number): FeedbackSample[] {
  return Array.from({ length: count }, () => ({
    at, seq: ++seq, source: 'flush' as const, failed: false, batchSize: target.batchSize, score: 0,
    feedback: { latencyMs: ms }, durationMs: ms, inFlight: target.concurrency, trigger: 'size' as const, attempt: 1,
  }))
}

/** `count` flush samples of `target` in which `share` of the items failed as overload, each `ms` long, ending at `at`. */
export function failingShare(target: ControlTarget, count: number, share: number, ms: number, at: number): FeedbackSample[] {
  return healthy(target, count, ms, at).map((sample) => ({ ...sample, failed: true, errorKind: 'overload' as const, feedback: { latencyMs: ms, errorRate: share } }))
}
