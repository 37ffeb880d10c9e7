import type { ErrorKind } from '../controllers/controller.ts'

/**
 * What a PostgreSQL error means for the batcher, by its SQLSTATE class (`error.code`):
 * - overload (retry, back off): 40 (serialization failure, deadlock), 53 (insufficient
 *   resources: too many connections, out of memory, disk full), 55P03 (lock not available),
 *   57014 (query cancelled: our timeout), 57P0x (server shutting down), 08 (connection);
 * - tooLarge (cut the batch in two): 54 (program limit: too many parameters, statement too
 *   complex), and the driver's own "too many parameters" refusal;
 * - badItem (one row is wrong): 22 (data exception: out of range, bad text), 23 (integrity:
 *   unique, not null, check, foreign key);
 * - fatal (no retry helps): 42 (syntax, undefined table or column, privilege), 28 (auth), 3D.
 * Anything else: undefined (the batcher's default, overload).
 */
export function classifyPostgresError(error: unknown): ErrorKind | undefined {
  const own = (error as { kind?: unknown } | null)?.kind
  if (own === 'tooLarge') return 'tooLarge'
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || code.length !== 5) return undefined
  if (code.startsWith('54')) return 'tooLarge'
  if (code.startsWith('22') || code.startsWith('23')) return 'badItem'
  if (code.startsWith('42') || code.startsWith('28') || code.startsWith('3D')) return 'fatal'
  if (code.startsWith('40') || code.startsWith('53') || code.startsWith('08') || code === '55P03' || code.startsWith('57')) return 'overload'
  return undefined
}
