/**
 * loadbatch/testing: what a user needs to test code built on loadbatch. Finite `@xstate/graph`
 * test models of the batcher and supervisor charts (install `@xstate/graph`), a sink whose
 * batches you settle by hand, and virtual time.
 * @packageDocumentation
 */
export { createBatcherTestModel, batcherModelEvents, serializeBatcherSnapshot, type BatcherSnapshot, type BatcherTestModelOptions } from './batcherTestModel.ts'
export { createSupervisorTestModel, supervisorModelEvents, serializeSupervisorSnapshot, SUPERVISOR_MODEL_BOUNDS, type SupervisorSnapshot, type SupervisorTestModelOptions } from './supervisorTestModel.ts'
export { manualSink, type ManualSink, type HeldBatch } from './manualSink.ts'
export { createVirtualTime, type VirtualTime } from '../virtualTime.ts'
