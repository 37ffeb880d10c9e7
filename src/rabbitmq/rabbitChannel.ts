import type { Channel, ConsumeMessage } from 'amqplib'

/**
 * The part of an amqplib channel (`connection.createChannel()`) a queue consumer uses. Give
 * the consumer a channel of its own: acknowledgements that cover many deliveries at once are
 * sent only while every delivery on the channel is the consumer's.
 */
export type RabbitChannel = Pick<Channel, 'prefetch' | 'consume' | 'cancel' | 'ack' | 'nack'>

export type { ConsumeMessage }
