/**
 * The parts of node-postgres (`pg`) a postgres sink uses, as structural types: a `pg.Pool`
 * fits, and so does any pool with the same methods; `loadbatch/postgres` never imports `pg`.
 */

/** A query's result: its rows. */
export interface QueryResult {
  readonly rows: readonly Record<string, unknown>[]
}

/** A connection checked out of the pool. */
export interface PostgresClient {
  /** Runs a statement; with a COPY stream object (pg-copy-streams) returns that stream. */
  query(text: string, values?: readonly unknown[]): Promise<QueryResult>
  query<S>(stream: S): S
  /** Gives the connection back; `true` (or an error) destroys it. */
  release(destroy?: boolean | Error): void
  /** The server process serving this connection (for `pg_cancel_backend`). */
  readonly processID?: number | null
}

/** A pool of connections, such as `new pg.Pool({ max: 8 })`. */
export interface PostgresPool {
  connect(): Promise<PostgresClient>
  query(text: string, values?: readonly unknown[]): Promise<QueryResult>
  /** Clients waiting for a connection (pg.Pool has it). */
  readonly waitingCount?: number
  /** Its options (pg.Pool has them): `max` is the number of connections. */
  readonly options?: { readonly max?: number }
}
