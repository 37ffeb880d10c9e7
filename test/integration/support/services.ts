/**
 * Reaching the real services of the integration tests. A missing service skips its tests with
 * a message saying so; under CI=true it fails them instead.
 */
import { createClient } from 'redis'
import pg from 'pg'
import amqp from 'amqplib'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const RABBIT_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Whether `probe` reaches the service; logs why not, and throws under CI=true. */
export async function serviceUp(name: string, probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe()
    return true
  } catch (error) {
    const why = `${name} is not reachable (${error instanceof Error ? error.message : String(error)})`
    if (process.env.CI === 'true') throw new Error(`${why}; it is required under CI=true`)
    console.warn(`Skipping the ${name} integration tests: ${why}. Start it (see the README) to run them.`)
    return false
  }
}

/** Probes Redis with PING. */
export const redisUp = () =>
  serviceUp('Redis', async () => {
    const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } })
    client.on('error', () => {})
    await client.connect()
    await client.ping()
    await client.close()
  })

/** Probes PostgreSQL with SELECT 1. */
export const postgresUp = () =>
  serviceUp('PostgreSQL', async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
    await client.connect()
    await client.query('SELECT 1')
    await client.end()
  })

/** Probes RabbitMQ by opening and closing a connection. */
export const rabbitUp = () =>
  serviceUp('RabbitMQ', async () => {
    const connection = await amqp.connect(RABBIT_URL, { timeout: 2000 })
    await connection.close()
  })

/** A name no other test run uses: `prefix-<pid>-<random>`. */
export function freshName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

/**
 * Polls `check` until it returns a value other than undefined/false, every `everyMs`; fails
 * with `what` after `timeoutMs`. For waiting on another process or a service, never on a timer
 * of the code under test.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
