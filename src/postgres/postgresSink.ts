import type { Observable, SchedulerLike } from 'rxjs'
import { checkNumber } from '../checkOption.ts'
import type { ErrorClassifier } from '../controllers/classifyError.ts'
import { ConfigError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import type { FlushInfo } from '../batcher/flushFunction.ts'
import { unrefScheduler } from '../scheduler.ts'
import { classifyPostgresError } from './classifyPostgresError.ts'
import type { PostgresClient, PostgresPool } from './pool.ts'
import { postgresFeedback } from './postgresFeedback.ts'
import { columnTypesQuery, copyRow, copyStatement, MAX_PARAMETERS, quoteName, unnestStatement, valuesStatement } from './statements.ts'

/** How rows go in: `COPY … FROM STDIN` (needs `pg-copy-streams`), one `unnest` statement, or a multi-row `VALUES`. */
export type PostgresMethod = 'copy' | 'unnest' | 'values'

/** Options of {@link postgresSink}. */
export interface PostgresSinkOptions<T> {
  /** A `pg.Pool` (or anything with its `connect`/`query`). Required. */
  readonly pool: PostgresPool
  /** The table, optionally `schema.table`. Required. */
  readonly table: string
  /** The columns written, in the order `row` returns values. Required, at least one. */
  readonly columns: readonly string[]
  /** Default `unnest`. */
  readonly method?: PostgresMethod
  /** An item's values in `columns` order (default: the item itself when it is an array, else `item[column]` for each column). */
  readonly row?: (item: T) => readonly unknown[]
  /** For `unnest`: each column's SQL type (default: read once from the catalog). */
  readonly types?: readonly string[]
  /** How often `feedback$` polls the pool and the server, ms (default 1000). */
  readonly feedbackIntervalMs?: number
  /** Time source of the polling (default: real time, unref'd timers). */
  readonly scheduler?: SchedulerLike
}

/** What {@link postgresSink} returns: spread it into `createBatcher`. */
export interface PostgresSink<T> {
  /** Writes one batch in one statement (or one COPY); cancels it on the server when `info.signal` aborts. */
  readonly flush: (batch: T[], info?: Pick<FlushInfo, 'signal'>) => Promise<void>
  /** Pool waiting clients and server lock waits, polled while the batcher listens. */
  readonly feedback$: Observable<LoadFeedback>
  /** SQLSTATE classes as error kinds (see `classifyPostgresError`). */
  readonly classify: ErrorClassifier
  /** With `values`: the most rows under 65,535 parameters; otherwise absent. */
  readonly maxBatchSize?: number
}

/**
 * A sink that writes batches into a PostgreSQL table: `{ flush, feedback$, classify,
 * maxBatchSize }`, to spread into `createBatcher`. Never past the 65,535-parameter wall:
 * `values` declares `maxBatchSize` and refuses a larger batch with a `tooLarge` error (the
 * batcher cuts it in two); `unnest` sends one array per column and `copy` streams rows, so
 * neither has a row limit. When `info.signal` aborts (a flush timeout, a forced stop) the
 * statement is cancelled on the server with `pg_cancel_backend`. `pg` and `pg-copy-streams`
 * are optional peer dependencies: the sink uses the pool you give it and loads
 * `pg-copy-streams` only for `copy`.
 *
 * @example
 * const pool = new pg.Pool({ max: 8 })
 * const batcher = createBatcher({ ...postgresSink({ pool, table: 'events', columns: ['id', 'at', 'kind', 'body'] }),
 *   size: { initial: 100, min: 1, max: 20_000 }, concurrency: { initial: 1, min: 1, max: 8 } })
 */
export function postgresSink<T>(options: PostgresSinkOptions<T>): PostgresSink<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with pool, table and columns', options)
  const { pool, table, columns } = options
  if (typeof pool?.connect !== 'function' || typeof pool?.query !== 'function') throw new ConfigError('pool', 'a pg.Pool (connect() and query())', pool)
  if (typeof table !== 'string' || table.length === 0) throw new ConfigError('table', 'a table name, e.g. "events" or "public.events"', table)
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && c.length > 0)) {
    throw new ConfigError('columns', 'a non-empty array of column names', columns)
  }
  const method = options.method ?? 'unnest'
  if (method !== 'copy' && method !== 'unnest' && method !== 'values') throw new ConfigError('method', "one of 'copy', 'unnest', 'values'", method)
  if (options.types !== undefined && (!Array.isArray(options.types) || options.types.length !== columns.length)) {
    throw new ConfigError('types', `an array of ${columns.length} SQL type names, one per column`, options.types)
  }
  if (options.row !== undefined && typeof options.row !== 'function') throw new ConfigError('row', 'a function (item) => values in columns order', options.row)
  const feedbackIntervalMs = checkNumber('feedbackIntervalMs', options.feedbackIntervalMs, 1000, { min: 1 })
  const toRow = options.row ?? ((item: T) => (Array.isArray(item) ? item : columns.map((c) => (item as Record<string, unknown>)[c])))
  const maxRows = Math.floor(MAX_PARAMETERS / columns.length)
  let types: Promise<readonly string[]> | undefined = options.types ? Promise.resolve(options.types) : undefined
  const columnTypes = () => (types ??= readColumnTypes(pool, table, columns).catch((error: unknown) => {
    types = undefined // try again at the next flush
    throw error
  }))

  const write = async (client: PostgresClient, batch: T[], unnestTypes: readonly string[] | undefined): Promise<void> => {
    const rows = batch.map(toRow)
    if (method === 'values') {
      await client.query(valuesStatement(table, columns, rows.length), rows.flat())
    } else if (unnestTypes) {
      const arrays = columns.map((_, c) => rows.map((row) => row[c] ?? null))
      await client.query(unnestStatement(table, columns, unnestTypes), arrays)
    } else {
      const { from } = await loadCopyStreams()
      const stream = client.query(from(copyStatement(table, columns)))
      await new Promise<void>((resolve, reject) => {
        stream.on('finish', () => resolve())
        stream.on('error', reject)
        stream.end(rows.map(copyRow).join(''))
      })
    }
  }

  const flush = async (batch: T[], info?: Pick<FlushInfo, 'signal'>): Promise<void> => {
    if (method === 'values' && batch.length > maxRows) {
      throw Object.assign(new Error(`${batch.length} rows × ${columns.length} columns is past PostgreSQL's ${MAX_PARAMETERS} parameters; at most ${maxRows} rows per statement`), { kind: 'tooLarge' as const })
    }
    const signal = info?.signal
    signal?.throwIfAborted()
    // The column types before a client is taken: read while holding one, every flush of a full pool would wait for a client none gives back.
    const unnestTypes = method === 'unnest' ? await columnTypes() : undefined
    const client = await pool.connect()
    let cancelled = false
    const cancel = () => {
      cancelled = true
      if (typeof client.processID === 'number') pool.query('SELECT pg_cancel_backend($1)', [client.processID]).catch(() => {})
    }
    signal?.addEventListener('abort', cancel, { once: true })
    try {
      await write(client, batch, unnestTypes)
      client.release()
    } catch (error) {
      client.release(cancelled ? true : undefined) // a cancelled COPY may leave the connection mid-protocol
      throw error
    } finally {
      signal?.removeEventListener('abort', cancel)
    }
  }

  return {
    flush,
    feedback$: postgresFeedback(pool, feedbackIntervalMs, options.scheduler ?? unrefScheduler),
    classify: classifyPostgresError,
    ...(method === 'values' ? { maxBatchSize: maxRows } : {}),
  }
}

/** Each column's SQL type from the catalog, in `columns` order; a column it lacks is a `ConfigError`. */
async function readColumnTypes(pool: PostgresPool, table: string, columns: readonly string[]): Promise<readonly string[]> {
  const result = await pool.query(columnTypesQuery, [quoteName(table)])
  const byName = new Map(result.rows.map((row) => [String(row['name']), String(row['type'])]))
  return columns.map((column) => {
    const type = byName.get(column)
    if (type === undefined) throw new ConfigError('columns', `columns of table ${table} (${[...byName.keys()].join(', ')})`, column)
    return type
  })
}

interface CopyStream {
  on(event: 'finish', listener: () => void): unknown
  on(event: 'error', listener: (error: unknown) => void): unknown
  end(chunk: string): unknown
}

let copyStreams: Promise<{ from: (sql: string) => unknown }> | undefined

/** `pg-copy-streams`, loaded on first use: an optional peer dependency, needed for `method: 'copy'` only. */
async function loadCopyStreams(): Promise<{ from: (sql: string) => CopyStream }> {
  copyStreams ??= import('pg-copy-streams').then(
    (module) => ({ from: (module as unknown as { from: (sql: string) => unknown }).from ?? (module as unknown as { default: { from: (sql: string) => unknown } }).default.from }),
    (error: unknown) => {
      copyStreams = undefined
      throw new ConfigError('method', "'unnest' or 'values', or install pg-copy-streams for 'copy'", `copy (${(error as Error).message})`)
    },
  )
  return copyStreams as Promise<{ from: (sql: string) => CopyStream }>
}
