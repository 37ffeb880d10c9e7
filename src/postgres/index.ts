/**
 * `loadbatch/postgres`: a sink that writes batches into PostgreSQL (COPY, unnest or VALUES),
 * with load feedback from the pool and the server, and PostgreSQL's errors classified for
 * the batcher. `pg` and `pg-copy-streams` are optional peer dependencies.
 */
export { postgresSink } from './postgresSink.ts'
export type { PostgresMethod, PostgresSink, PostgresSinkOptions } from './postgresSink.ts'
export { classifyPostgresError } from './classifyPostgresError.ts'
export { postgresFeedback, lockWaitsQuery } from './postgresFeedback.ts'
export type { PostgresClient, PostgresPool, QueryResult } from './pool.ts'
export { MAX_PARAMETERS } from './statements.ts'
