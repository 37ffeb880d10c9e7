/**
 * The adaptive yardstick's real backend (issue 12): 200,000 rows of 4 columns into the
 * machine's PostgreSQL (127.0.0.1, database test), producers as fast as accepted. The
 * default controller from `initial: 100` (sizes 1..20,000, concurrency 1..4) against fixed
 * sizes 100, 1,000, 5,000 and 20,000 at concurrency 1 and 4, and row by row, all in one run,
 * interleaved over ROUNDS rounds (default 3; row by row once) so a busy machine's swings fall
 * on every contender alike, each round in another order, after an untimed warm-up that opens
 * the pool's connections and warms the JIT (the first contender no longer pays for a cold
 * process); prints each one's median rows/s and its ratio to the best fixed.
 *
 * Run: node --import tsx bench/adaptive/postgres.ts [values|unnest|copy]   (default values)
 * ONLY_ADAPTIVE=1 runs the adaptive contender alone (while tuning; its ratio is then to itself).
 */
import pg from 'pg'
import { createBatcher } from '../../src/index.ts'
import { formatTable } from '../../src/cli/textTable.ts'
import { postgresSink, type PostgresMethod } from '../../src/postgres/index.ts'

const ROWS = 200_000
const ROW_BY_ROW_ROWS = 20_000
const method = (process.argv[2] ?? 'values') as PostgresMethod
const pool = new pg.Pool({ host: '127.0.0.1', database: 'test', user: process.env['PGUSER'] ?? 'root', max: 4 })
const table = `loadbatch_bench_${process.pid}`
await pool.query(`CREATE TABLE ${table} (id int, name text, score double precision, at timestamptz)`)
const sink = postgresSink<[number, string, number, Date]>({ pool, table, columns: ['id', 'name', 'score', 'at'], method })

interface Contender {
  readonly label: string
  readonly rows: number
  readonly size: number | { initial: number; min: number; max: number }
  readonly concurrency: number | { initial: number; min: number; max: number }
  readonly adaptive?: boolean
}
const contenders: Contender[] = [
  { label: 'adaptive (default, from 100)', rows: ROWS, size: { initial: 100, min: 1, max: 20_000 }, concurrency: { initial: 1, min: 1, max: 4 }, adaptive: true },
  ...(process.env["ONLY_ADAPTIVE"] ? [] : [100, 1000, 5000, 20_000]).flatMap((size) => [1, 4].map((concurrency): Contender => ({ label: `fixed ${size} × ${concurrency}`, rows: ROWS, size, concurrency }))),
  { label: 'row by row × 4', rows: ROW_BY_ROW_ROWS, size: 1, concurrency: 4 },
]

const ROUNDS = Number(process.env['ROUNDS'] ?? 3)
type Result = { label: string; perSecond: number; dead: number; meanBatch: number; finalSize: number; finalConcurrency: number; adaptive: boolean }
const runs: Result[] = []
// Warm-up, untimed: every connection of the pool open, the flush path compiled.
{
  const warm = createBatcher<[number, string, number, Date]>({ ...sink, size: 1000, concurrency: 4, maxWaitMs: 50 })
  for (let id = 0; id < 20_000; id++) await warm.add([id, `name ${id}`, id * 0.5, new Date()])
  await warm.stop()
}
for (let round = 0; round < ROUNDS; round++) for (const contender of contenders.map((_, i) => contenders[(i + round) % contenders.length]!)) {
  if (round > 0 && contender.size === 1) continue
  await pool.query(`TRUNCATE ${table}`)
  let dead = 0
  const batcher = createBatcher<[number, string, number, Date]>({
    ...sink, size: contender.size, concurrency: contender.concurrency, maxWaitMs: 50,
    onDeadLetter: (items) => {
      dead += items.length
    },
  })
  const started = performance.now()
  const at = new Date()
  for (let id = 0; id < contender.rows; id++) await batcher.add([id, `name ${id}`, id * 0.5, at])
  await batcher.stop()
  const seconds = (performance.now() - started) / 1000
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`)
  if (rows[0]!['n'] !== contender.rows - dead) throw new Error(`${contender.label}: ${rows[0]!['n']} rows in the table, expected ${contender.rows - dead}`)
  const m = batcher.metrics()
  runs.push({ label: contender.label, perSecond: contender.rows / seconds, dead, meanBatch: m.avgBatchSize, finalSize: m.batchSize, finalConcurrency: m.concurrency, adaptive: contender.adaptive ?? false })
  process.stderr.write(`  round ${round + 1} ${contender.label}: ${Math.round(contender.rows / seconds)} rows/s\n`)
}
await pool.query(`DROP TABLE ${table}`)
await pool.end()

/** Each contender's median run by rows/s (dead letters summed over its runs). */
const results: Result[] = contenders.map((c) => {
  const own = runs.filter((r) => r.label === c.label).sort((a, b) => a.perSecond - b.perSecond)
  return { ...own[Math.floor(own.length / 2)]!, dead: own.reduce((sum, r) => sum + r.dead, 0) }
})

const best = results.filter((r) => r.label.startsWith('fixed')).reduce((a, b) => (b.perSecond > a.perSecond ? b : a), results[0]!)
console.log(`PostgreSQL ${method}, ${ROWS.toLocaleString('en')} rows × 4 columns (row by row: ${ROW_BY_ROW_ROWS.toLocaleString('en')}, once), pool of 4; median of ${ROUNDS} interleaved rounds; ratio to the best fixed of this run (${best.label})`)
console.log(formatTable(['contender', 'rows/s', '÷ best fixed', 'mean batch', 'final size × conc', 'dead letters'], results.map((r) => [
  r.label, Math.round(r.perSecond).toString(), (r.perSecond / best.perSecond).toFixed(2), r.meanBatch.toFixed(0), `${r.finalSize} × ${r.finalConcurrency}`, String(r.dead),
])).join('\n'))
const adaptive = results.find((r) => r.adaptive)!
console.log(`Target (adaptive ≥ 0.9 × best fixed, no dead letter): ${adaptive.perSecond / best.perSecond >= 0.9 && adaptive.dead === 0 ? 'MET' : 'NOT MET'} (${(adaptive.perSecond / best.perSecond).toFixed(2)}, ${adaptive.dead} dead letters)`)
