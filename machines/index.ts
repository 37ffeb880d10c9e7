/** The pure statecharts of loadbatch: draw them, inspect them, generate tests from them. */
export { batcherMachine, type BatcherContext, type BatcherEvent, type BatcherInput, type BatcherState, type FlushTrigger } from './batcher.machine.ts'
