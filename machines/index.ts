/** The pure statecharts of loadbatch: draw them, inspect them, generate tests from them. */
export { batcherMachine, type BatcherContext, type BatcherEvent, type BatcherInput, type BatcherState, type FlushTrigger } from './batcher.machine.ts'
export { supervisorMachine, type SupervisorContext, type SupervisorEvent, type SupervisorInput, type SupervisorState } from './supervisor.machine.ts'
