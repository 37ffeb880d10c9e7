/**
 * loadbatch/rabbitmq: consume a RabbitMQ (quorum) queue into a batcher or a supervisor,
 * acknowledging each message only after its batch was flushed.
 * Needs the `amqplib` package as a peer dependency.
 * @packageDocumentation
 */
export { consumeRabbitQueue, type RabbitQueueConsumer, type RabbitQueueMetrics } from './consumeRabbitQueue.ts'
export type { RabbitQueueOptions } from './rabbitQueueOptions.ts'
export type { RabbitChannel, ConsumeMessage } from './rabbitChannel.ts'
export type { SourcePort, SourceHandle, PortLoad } from '../source/sourcePort.ts'
