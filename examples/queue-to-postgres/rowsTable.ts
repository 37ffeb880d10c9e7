/**
 * The pipeline's sink: a PostgreSQL table with the item id as primary key, written with one
 * multi-row INSERT per batch. A row written again (at-least-once delivery after a crash)
 * counts up its `writes` column instead of failing, so duplicates are visible, not hidden.
 */
import type pg from 'pg'

/** Quotes a table name for SQL. */
const quote = (table: string) => `"${table.replace(/"/g, '""')}"`

/** Creates the table: id (primary key), the writer and batch of its first write, and how often it was written. */
export async function createRowsTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${quote(table)} (id bigint PRIMARY KEY, writer text NOT NULL, batch integer NOT NULL, writes integer NOT NULL DEFAULT 1)`)
}

/** Drops the table. */
export async function dropRowsTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${quote(table)}`)
}

/**
 * Writes `ids` in one statement (`INSERT … VALUES (…), (…) ON CONFLICT (id) DO UPDATE SET
 * writes = writes + 1`), three parameters per row: far below PostgreSQL's 65,535 for any
 * batch up to 21,000 rows. An id twice in one batch is written once.
 */
export async function insertRows(pool: pg.Pool, table: string, ids: readonly number[], writer: string, batch: number): Promise<void> {
  const unique = [...new Set(ids)]
  const values = unique.map((_, i) => `($${i + 3}, $1, $2)`).join(', ')
  await pool.query(
    `INSERT INTO ${quote(table)} AS t (id, writer, batch) VALUES ${values} ON CONFLICT (id) DO UPDATE SET writes = t.writes + 1`,
    [writer, batch, ...unique],
  )
}

/** What the table holds: distinct ids, and the rows written more than once with the writer and batch of their first write. */
export async function tableCounts(pool: pg.Pool, table: string): Promise<{ distinct: number; duplicates: number; duplicated: Array<{ id: number; writer: string; batch: number; writes: number }> }> {
  const { rows } = await pool.query(`SELECT count(*)::int AS distinct, coalesce(sum(writes - 1), 0)::int AS duplicates FROM ${quote(table)}`)
  const duplicated = await pool.query(`SELECT id::int, writer, batch, writes FROM ${quote(table)} WHERE writes > 1 ORDER BY id`)
  return { distinct: rows[0].distinct, duplicates: rows[0].duplicates, duplicated: duplicated.rows }
}
