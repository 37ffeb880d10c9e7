/**
 * Items per second from a Redis stream into a no-op sink: loadbatch's consumeRedisStream (into
 * a batcher) against a hand-written XREADGROUP + XACK loop at the same batch size, with 1, 2
 * and 4 consumer processes in one consumer group. Each figure is the median of ROUNDS runs:
 * ITEMS entries are produced, the processes start and connect (not timed), then the clock runs
 * from "go" until the group has nothing pending and no lag. A third peer is the same hand-written
 * loop handing each entry to a batcher's `submit` and acknowledging after it resolved: the gap
 * between it and the bare loop is the batcher's, the gap between loadbatch and it the source's.
 * All run in the same rounds, alternating, so the machine's load falls on each; the ratios are
 * loadbatch ÷ hand-written and loadbatch ÷ hand-written + submit.
 *
 * Run: node --import tsx bench/redis-consume.ts     (needs Redis on 127.0.0.1:6379)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { connectRedis, produceToStream } from '../examples/queue-to-postgres/broker.ts'

const ITEMS = Number(process.env.BENCH_ITEMS ?? 60_000)
const SIZE = 500
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PROCESSES = [1, 2, 4]
const worker = fileURLToPath(new URL('./redis-consume-worker.ts', import.meta.url))

const redis = await connectRedis()
const ids = Array.from({ length: ITEMS }, (_, i) => i)

/** Whether the group has consumed everything: no lag, nothing pending. */
async function drained(stream: string): Promise<boolean> {
  const [group] = (await redis.sendCommand(['XINFO', 'GROUPS', stream])) as Array<{ pending: number; lag: number | null }>
  return Number(group!.pending) === 0 && Number(group!.lag ?? 1) === 0
}

function startWorker(config: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)))
  })
}

/** Items per second for `processes` consumers in `mode`. */
async function rate(mode: 'loadbatch' | 'hand' | 'hand-submit', processes: number): Promise<number> {
  const stream = `lb_bench_${process.pid}_${mode}_${processes}_${Date.now()}`
  await redis.sendCommand(['XGROUP', 'CREATE', stream, 'bench', '0', 'MKSTREAM'])
  await produceToStream(redis, stream, ids)
  const children = await Promise.all(Array.from({ length: processes }, (_, i) => startWorker({ mode, stream, group: 'bench', consumer: `c${i}`, size: SIZE })))
  const started = performance.now()
  for (const child of children) child.stdin!.write('go\n')
  while (!(await drained(stream))) await new Promise((resolve) => setTimeout(resolve, 5))
  const seconds = (performance.now() - started) / 1000
  await Promise.all(children.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))))
  await redis.sendCommand(['DEL', stream])
  return ITEMS / seconds
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const rows: string[] = []
for (const processes of PROCESSES) {
  const samples = { loadbatch: [] as number[], hand: [] as number[], 'hand-submit': [] as number[] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['loadbatch', 'hand', 'hand-submit'] as const) samples[mode].push(await rate(mode, processes))
  }
  const [lb, hand, handSubmit] = [median(samples.loadbatch), median(samples.hand), median(samples['hand-submit'])]
  const figure = (value: number) => Math.round(value).toLocaleString('en')
  rows.push(`| ${processes} | ${figure(lb)} | ${figure(hand)} | ${figure(handSubmit)} | ${(lb / hand).toFixed(2)}× | ${(lb / handSubmit).toFixed(2)}× |`)
}
console.log(`Redis stream → no-op sink, ${ITEMS.toLocaleString('en')} entries, batch ${SIZE}, median of ${ROUNDS} rounds (items/s)\n`)
console.log('| processes | loadbatch consumeRedisStream | hand-written XREADGROUP + XACK | same loop + batcher.submit | ÷ hand-written | ÷ loop + submit |')
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) console.log(row)
await redis.close()
