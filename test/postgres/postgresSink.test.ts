/**
 * loadbatch/postgres against the real PostgreSQL on 127.0.0.1 (database test): every method
 * writes every row once, the 65,535-parameter wall is never crossed, an aborted flush is
 * cancelled on the server, errors are classified, a bad row is dead-lettered alone, and the
 * feedback shows lock waits. Skips with a message where there is no server; fails under CI=true.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBatcher } from '../../src/index.ts'
import { classifyPostgresError, MAX_PARAMETERS, postgresSink, type PostgresMethod } from '../../src/postgres/index.ts'
import { firstValueFrom, filter } from 'rxjs'
import { connectTestPostgres } from './connect.ts'

const connection = await connectTestPostgres()
if ('missing' in connection) console.warn(`skipping the PostgreSQL integration tests: ${connection.missing}`)
const pool = 'pool' in connection ? connection.pool : (undefined as unknown as pg.Pool)
const table = `loadbatch_sink_${process.pid}`
const columns = ['id', 'name', 'score', 'at'] as const
type Row = { id: number; name: string | null; score: number; at: Date }
const rowOf = (id: number): Row => ({ id, name: id % 7 === 0 ? null : `row\t${id}\\\n"x"`, score: id * 0.5, at: new Date(1_700_000_000_000 + id) })

describe.skipIf('missing' in connection)('postgresSink (real PostgreSQL)', () => {
  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text, score double precision CHECK (score >= 0), at timestamptz)`)
  })
  afterAll(async () => {
    await pool?.query(`DROP TABLE IF EXISTS ${table}`)
    await pool?.end()
  })

  for (const method of ['copy', 'unnest', 'values'] as const satisfies readonly PostgresMethod[]) {
    it(`${method}: writes 3000 rows through an adaptive batcher, each once, values intact`, async () => {
      await pool.query(`TRUNCATE ${table}`)
      const sink = postgresSink<Row>({ pool, table, columns, method })
      const batcher = createBatcher<Row>({ ...sink, size: { initial: 100, min: 10, max: 2000 }, concurrency: { initial: 1, min: 1, max: 4 } })
      for (let id = 0; id < 3000; id++) await batcher.add(rowOf(id))
      await batcher.stop()
      expect(batcher.metrics().itemsFailed).toBe(0)
      const { rows } = await pool.query(`SELECT count(*)::int AS n, sum(id)::int AS ids, count(name)::int AS names FROM ${table}`)
      expect(rows[0]).toEqual({ n: 3000, ids: (2999 * 3000) / 2, names: 3000 - Math.ceil(3000 / 7) })
      const back = await pool.query(`SELECT name, score, at FROM ${table} WHERE id = 8`)
      expect(back.rows[0]).toEqual({ name: rowOf(8).name, score: 4, at: rowOf(8).at })
    })
  }

  it('never deadlocks a full pool: as many flushes at once as the pool has clients, the first ones included', async () => {
    const small = new pg.Pool({ ...pool.options, max: 2 })
    try {
      for (const method of ['copy', 'unnest', 'values'] as const) {
        await pool.query(`TRUNCATE ${table}`)
        const batcher = createBatcher<Row>({ ...postgresSink<Row>({ pool: small, table, columns, method }), size: 100, concurrency: 2, maxWaitMs: 1000 })
        for (let id = 0; id < 1000; id++) await batcher.add(rowOf(id))
        await batcher.stop()
        expect([method, batcher.metrics().retries, batcher.metrics().itemsFailed]).toEqual([method, 0, 0])
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`)
        expect([method, rows[0]!['n']]).toEqual([method, 1000])
      }
    } finally {
      await small.end()
    }
  }, 20_000)

  it('values: declares the most rows under 65,535 parameters and refuses more as too large, so the batcher cuts', async () => {
    const sink = postgresSink<Row>({ pool, table, columns, method: 'values' })
    expect(sink.maxBatchSize).toBe(Math.floor(MAX_PARAMETERS / 4))
    const rows = Array.from({ length: 16_384 }, (_, i) => rowOf(100_000 + i))
    const error = await sink.flush(rows).then(() => undefined, (e: unknown) => e)
    expect(sink.classify(error)).toBe('tooLarge')
    // Without the declared ceiling, the batcher learns it from the error: nothing is dead-lettered.
    await pool.query(`TRUNCATE ${table}`)
    const dead: Row[] = []
    const batcher = createBatcher<Row>({ flush: sink.flush, classify: sink.classify, size: 20_000, maxWaitMs: 10, onDeadLetter: (items) => { dead.push(...items) } })
    batcher.addMany(Array.from({ length: 20_000 }, (_, i) => rowOf(i)))
    await batcher.stop()
    expect(dead).toEqual([])
    const { rows: count } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`)
    expect(count[0].n).toBe(20_000)
  })

  it('a bad row (CHECK violation) is dead-lettered alone; the rest of its batch is written', async () => {
    await pool.query(`TRUNCATE ${table}`)
    const sink = postgresSink<Row>({ pool, table, columns })
    const dead: Row[] = []
    const batcher = createBatcher<Row>({ ...sink, size: 64, maxWaitMs: 10, onDeadLetter: (items) => { dead.push(...items) } })
    for (let id = 0; id < 64; id++) batcher.tryAdd(id === 37 ? { ...rowOf(id), score: -1 } : rowOf(id))
    await batcher.stop()
    expect(dead.map((row) => row.id)).toEqual([37])
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`)
    expect(rows[0].n).toBe(63)
  })

  it('classifies PostgreSQL errors: unique violation is a bad item, an unknown table fatal', async () => {
    const sink = postgresSink<Row>({ pool, table, columns, method: 'values' })
    await pool.query(`TRUNCATE ${table}`)
    await sink.flush([rowOf(1)])
    expect(classifyPostgresError(await sink.flush([rowOf(1)]).catch((e: unknown) => e))).toBe('badItem')
    const missing = postgresSink<Row>({ pool, table: 'loadbatch_no_such_table', columns, method: 'values' })
    expect(classifyPostgresError(await missing.flush([rowOf(1)]).catch((e: unknown) => e))).toBe('fatal')
    expect(classifyPostgresError({ code: '40P01' })).toBe('overload')
    expect(classifyPostgresError(new Error('no code'))).toBeUndefined()
  })

  it('cancels the statement on the server when info.signal aborts, and reports the lock wait meanwhile', async () => {
    const locker = await pool.connect()
    try {
      await locker.query('BEGIN')
      await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)
      const sink = postgresSink<Row>({ pool, table, columns, feedbackIntervalMs: 20 })
      const abort = new AbortController()
      const flushing = sink.flush([rowOf(500_000)], { signal: abort.signal }).then(() => undefined, (e: unknown) => e)
      const blocked = await firstValueFrom(sink.feedback$.pipe(filter((f) => (f.locks ?? 0) > 0)))
      expect(blocked.locks).toBeGreaterThan(0)
      abort.abort(new Error('flush timed out'))
      const error = (await flushing) as { code?: string }
      expect(error.code).toBe('57014') // query_canceled
      expect(classifyPostgresError(error)).toBe('overload')
    } finally {
      await locker.query('ROLLBACK')
      locker.release()
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE id = 500000`)
    expect(rows[0].n).toBe(0)
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => postgresSink({ pool, table: '', columns })).toThrow(/table/)
    expect(() => postgresSink({ pool, table, columns: [] })).toThrow(/columns/)
    expect(() => postgresSink({ pool, table, columns, method: 'insert' as PostgresMethod })).toThrow(/method/)
    expect(() => postgresSink({ pool: {} as pg.Pool, table, columns })).toThrow(/pool/)
  })
})
