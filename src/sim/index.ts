/**
 * The simulator: seeded load patterns and a simulated backend whose best batch size moves with
 * load, driven in virtual time (tests, benchmarks, `loadbatch simulate --virtual`) or in real
 * time (the live demo). Nothing here reads a clock: time is always passed in.
 */

export { createRandom, hashToUnit, type Random } from './random.ts'
export {
  burst,
  constant,
  createLoadPattern,
  gradual,
  loadPatternNames,
  sinewave,
  spikes,
  step,
  type BurstOptions,
  type ConstantOptions,
  type GradualOptions,
  type LoadPattern,
  type LoadPatternName,
  type LoadPatternOptions,
  type SinewaveOptions,
  type SpikesOptions,
  type StepOptions,
} from './loadPatterns.ts'
export { resolveBackendOptions, type BackendOptions, type FailureMode, type ResolvedBackendOptions } from './backendOptions.ts'
export {
  callLatencyMs,
  errorRateAt,
  expectedGoodput,
  lockWaitsAt,
  optimalBatchSize,
  slowdownAt,
  utilisationOf,
  type CostModel,
  type OptimalSize,
  type OptimalSizeQuery,
  type SteadyLoad,
} from './costModel.ts'
export {
  createSimulatedBackend,
  type BackendLoad,
  type BackendStats,
  type SimulatedBackend,
} from './backend.ts'
export { backendOnScheduler, type ScheduledBackendCall } from './backendOnScheduler.ts'
export type { BackendCall, BackendCallResult } from './backendCall.ts'
