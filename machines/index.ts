/** The pure statecharts of loadbatch: draw them, inspect them, generate tests from them. */
export { batcherMachine } from './batcher.machine.ts'
export { supervisorMachine } from './supervisor.machine.ts'
export type { BatcherContext, BatcherEmitted, BatcherEvent, BatcherInput, BatcherState, DropReason, FlushTrigger, OutsideEvent, TargetReason } from './batcher.types.ts'
export type { SupervisorContext, SupervisorEvent, SupervisorInput, SupervisorState } from './supervisor.types.ts'
export type { CustomMetric, LoadFeedback } from './feedback.types.ts'
