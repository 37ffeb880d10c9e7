/**
 * The whole system in one command: produces items into a Redis stream (or a RabbitMQ quorum
 * queue), starts N consumer processes that batch them into a PostgreSQL table, optionally
 * kills one with SIGKILL halfway, waits until every item is written, stops the rest with
 * SIGTERM and prints what the table holds (distinct ids, duplicates) and each consumer's counters.
 *
 *   node --import tsx examples/queue-to-postgres/run.ts [--source redis|rabbitmq] [--consumers 3] [--items 20000] [--kill] [--keep]
 *   npm run example:pipeline -- --kill
 */
import { parseArgs } from 'node:util'
import pg from 'pg'
import { connectRabbit, connectRedis, deadLetterQueueOf, declareQuorumQueue, produceToStream, publishToQueue, readyCount, urls } from './broker.ts'
import { startConsumerProcess, type ConsumerProcess } from './processes.ts'
import { createRowsTable, dropRowsTable, tableCounts } from './rowsTable.ts'

const { values: flags } = parseArgs({
  options: {
    source: { type: 'string', default: 'redis' },
    consumers: { type: 'string', default: '3' },
    items: { type: 'string', default: '20000' },
    kill: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
})
const source = flags.source === 'rabbitmq' ? 'rabbitmq' : 'redis'
const consumers = Number(flags.consumers)
const items = Number(flags.items)
if (!(Number.isInteger(consumers) && consumers >= 1) || !(Number.isInteger(items) && items >= 1)) {
  console.error('Expected --consumers and --items to be integers >= 1')
  process.exit(2)
}

const name = `pipeline_${Date.now()}`
const ids = Array.from({ length: items }, (_, i) => i + 1)
const pool = new pg.Pool({ connectionString: urls.postgres })
await createRowsTable(pool, name)

const redis = source === 'redis' ? await connectRedis() : undefined
const rabbit = source === 'rabbitmq' ? await connectRabbit() : undefined
/** Entries not yet acknowledged (Redis: the group's pending plus lag; RabbitMQ: ready messages). */
let backlog: () => Promise<number>
if (redis) {
  await redis.sendCommand(['XGROUP', 'CREATE', name, 'writers', '0', 'MKSTREAM'])
  await produceToStream(redis, name, ids)
  backlog = async () => {
    const [group] = (await redis.sendCommand(['XINFO', 'GROUPS', name])) as Array<{ pending: number; lag: number | null }>
    return Number(group!.pending) + Number(group!.lag ?? 0)
  }
} else {
  const channel = await rabbit!.createChannel()
  await declareQuorumQueue(channel, name, 5)
  await channel.close()
  await publishToQueue(rabbit!, name, ids)
  backlog = () => readyCount(rabbit!, name)
}
console.log(`${items} items in ${source} ${name}; starting ${consumers} consumers`)

const started = performance.now()
const processes: ConsumerProcess[] = []
for (let i = 0; i < consumers; i++) {
  processes.push(startConsumerProcess(`c${i}`, { source, name: `c${i}`, from: name, table: name }, undefined, (line) => console.log(line)))
}
await Promise.all(processes.map((p) => p.waitFor((event) => event.event === 'started')))

let killed = false
for (;;) {
  const { distinct } = await tableCounts(pool, name)
  const left = await backlog()
  console.log(`  ${((performance.now() - started) / 1000).toFixed(1)} s: ${distinct} of ${items} written, ${left} left in the broker`)
  if (flags.kill && !killed && distinct >= items / 3 && processes.length > 1) {
    killed = true
    processes[0]!.child.kill('SIGKILL')
    console.log(`  kill -9 ${processes[0]!.name}: the others take its entries over`)
  }
  if (distinct >= items && left === 0) break
  await new Promise((resolve) => setTimeout(resolve, 500))
}

const survivors = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null)
for (const p of survivors) p.child.kill('SIGTERM')
const stopped = await Promise.all(survivors.map((p) => p.waitFor((event) => event.event === 'stopped')))
const counts = await tableCounts(pool, name)
console.log(`\nwritten: ${counts.distinct} distinct of ${items}, duplicates ${counts.duplicates} (rows written twice after a kill -9: at-least-once)`)
for (const event of stopped) console.log(`  ${String(event.name)}: ${JSON.stringify(event.metrics)}`)

if (!flags.keep) {
  await dropRowsTable(pool, name)
  if (redis) await redis.sendCommand(['DEL', name, `${name}:dead`])
  if (rabbit) {
    const channel = await rabbit.createChannel()
    await channel.deleteQueue(name)
    await channel.deleteQueue(deadLetterQueueOf(name))
    await channel.close()
  }
} else console.log(`kept table, stream/queue: ${name}`)
await pool.end()
await redis?.close()
await rabbit?.close()
