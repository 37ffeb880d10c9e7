/**
 * loadbatch: load-aware adaptive batching on XState v5 actors with RxJS timers and feedback.
 * @packageDocumentation
 */
export { createBatcher, createBatcherLogic, type Batcher, type BatcherLogic, type StopOptions, type WaitOptions } from './batcher.ts'
export type { BatcherOptions, FlushFunction, FlushInfo, Adaptive } from './options.ts'
export type { BatcherMetrics } from './metrics.ts'
export type { RetryOptions } from './retry.ts'
export type { Logger } from './logger.ts'
export { unrefScheduler } from './scheduler.ts'
export { AbortError, BatcherStoppedError, ConfigError, FlushTimeoutError, InvalidWeightError, PartialBatchError, type ItemFailure } from './errors.ts'
export { scoreLoad, sanitizeFeedback, DEFAULT_WEIGHTS, type LoadFeedback, type LoadWeights, type ScoreOptions, type CustomMetric } from './feedback.ts'
export * from './controllers/index.ts'
export { batcherMachine, type BatcherEvent, type BatcherEmitted, type BatcherState, type FlushTrigger } from '../machines/batcher.machine.ts'
export { createVirtualTime, type VirtualTime } from './virtualTime.ts'
export { createSupervisor, createSupervisorLogic, type Supervisor, type SupervisorLogic } from './supervisor/createSupervisor.ts'
export { SupervisorEscalatedError } from './errors.ts'
export { SupervisorRuntime } from './supervisor/supervisorRuntime.ts'
export { type SupervisorOptions, type WorkerCountOptions, type RestartOptions, type ScaleOptions } from './supervisor/supervisorOptions.ts'
export { type SupervisorMetrics } from './supervisor/supervisorMetrics.ts'
export { type WorkerPort, type WorkerLogic, type WorkerMetrics } from './port.ts'
export { roundRobin, leastLoaded, byKey, type Router, type RouteWorker, type RouteKey } from './routing/index.ts'
export { supervisorMachine, type SupervisorEvent, type SupervisorState } from '../machines/supervisor.machine.ts'
export * from './patterns/index.ts'
