/**
 * The integration tests' PostgreSQL: 127.0.0.1, database `test`, trust auth (user root, then
 * postgres). Resolves to a pool, or to undefined with the reason when there is no server; under
 * CI=true a missing server is a failure.
 */
import pg from 'pg'

export async function connectTestPostgres(): Promise<{ pool: pg.Pool } | { missing: string }> {
  let lastError = ''
  for (const user of ['root', 'postgres']) {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, database: 'test', user, max: 8, connectionTimeoutMillis: 2000 })
    try {
      await pool.query('SELECT 1')
      return { pool }
    } catch (error) {
      lastError = (error as Error).message
      await pool.end().catch(() => {})
    }
  }
  const missing = `no PostgreSQL on 127.0.0.1:5432 (database test): ${lastError}`
  if (process.env['CI'] === 'true') throw new Error(`${missing}; under CI=true the PostgreSQL integration tests must run`)
  return { missing }
}
