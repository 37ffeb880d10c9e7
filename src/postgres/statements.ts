/**
 * The SQL a postgres sink sends: quoted names, a multi-row `INSERT … VALUES` (at most 65,535
 * parameters), an `INSERT … SELECT * FROM unnest(…)` (one array parameter per column), and a
 * `COPY … FROM STDIN` in text format.
 */

/** PostgreSQL's limit on the parameters of one statement (the protocol's 16-bit count). */
export const MAX_PARAMETERS = 65_535

/** A name quoted as an identifier; `schema.table` becomes `"schema"."table"`. */
export function quoteName(name: string): string {
  return name.split('.').map((part) => `"${part.replaceAll('"', '""')}"`).join('.')
}

/** `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows. */
export function valuesStatement(table: string, columns: readonly string[], rows: number): string {
  const tuples: string[] = []
  for (let r = 0; r < rows; r++) tuples.push(`(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
  return `INSERT INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) VALUES ${tuples.join(', ')}`
}

/** `INSERT INTO t (a, b) SELECT * FROM unnest($1::int[], $2::text[])`: one array per column. */
export function unnestStatement(table: string, columns: readonly string[], types: readonly string[]): string {
  const arrays = columns.map((_, c) => `$${c + 1}::${types[c]}[]`).join(', ')
  return `INSERT INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) SELECT * FROM unnest(${arrays})`
}

/** `COPY t (a, b) FROM STDIN` (text format). */
export function copyStatement(table: string, columns: readonly string[]): string {
  return `COPY ${quoteName(table)} (${columns.map(quoteName).join(', ')}) FROM STDIN`
}

/** The catalog query for the SQL type of each column, in `columns` order. */
export const columnTypesQuery =
  'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a ' +
  'WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped'

/** One value in COPY's text format: `\N` for null, backslash escapes for the rest. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'boolean') text = value ? 't' : 'f'
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value)
  else if (value instanceof Date) text = value.toISOString()
  else if (value instanceof Uint8Array) text = `\\x${Buffer.from(value).toString('hex')}`
  else text = JSON.stringify(value)
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
}

/** One row in COPY's text format, newline included. */
export function copyRow(values: readonly unknown[]): string {
  return `${values.map(copyValue).join('\t')}\n`
}
