/**
 * Parsers of the raw RESP2 replies of the stream commands the consumer sends. Each accepts
 * what node-redis returns for `sendCommand` (arrays of strings, null for nil) and throws a
 * plain Error naming the command when the shape is not what Redis documents.
 */

/** One stream entry as read: its id and its field/value pairs. */
export interface StreamEntry {
  /** The entry id, e.g. `1700000000000-0`. */
  readonly id: string
  /** The entry's fields, in the order they were added. */
  readonly fields: Readonly<Record<string, string>>
}

/** A pending-entries row: who holds the entry and how often it was delivered. */
export interface PendingRow {
  readonly id: string
  readonly consumer: string
  readonly idleMs: number
  readonly deliveries: number
}

/** Entries of one stream from an `XREADGROUP` reply (null when it timed out); a deleted entry (nil fields) comes back with `fields: undefined`. */
export function parseReadGroup(reply: unknown): Array<{ id: string; fields: Record<string, string> | undefined }> {
  if (reply === null || reply === undefined) return []
  const streams = reply instanceof Map ? [...reply.entries()] : Array.isArray(reply) ? reply : Object.entries(reply as object)
  const first = streams[0] as unknown
  if (!Array.isArray(first) || first.length < 2) throw new Error(`XREADGROUP: unexpected reply ${JSON.stringify(reply)}`)
  return parseEntries(first[1], 'XREADGROUP')
}

/** `[next cursor, claimed entries, deleted ids]` of an `XAUTOCLAIM` reply. */
export function parseAutoClaim(reply: unknown): { cursor: string; entries: Array<{ id: string; fields: Record<string, string> | undefined }>; deleted: string[] } {
  if (!Array.isArray(reply) || reply.length < 2) throw new Error(`XAUTOCLAIM: unexpected reply ${JSON.stringify(reply)}`)
  return { cursor: String(reply[0]), entries: parseEntries(reply[1], 'XAUTOCLAIM'), deleted: Array.isArray(reply[2]) ? reply[2].map(String) : [] }
}

/** Rows of an extended `XPENDING` reply (`XPENDING key group [IDLE ms] start end count [consumer]`). */
export function parsePending(reply: unknown): PendingRow[] {
  if (!Array.isArray(reply)) throw new Error(`XPENDING: unexpected reply ${JSON.stringify(reply)}`)
  return reply.map((row) => {
    if (!Array.isArray(row) || row.length < 4) throw new Error(`XPENDING: unexpected row ${JSON.stringify(row)}`)
    return { id: String(row[0]), consumer: String(row[1]), idleMs: Number(row[2]), deliveries: Number(row[3]) }
  })
}

/** The fields of one group from an `XINFO GROUPS` reply, as a record (numbers where Redis sends integers). */
export function parseGroupInfo(reply: unknown, group: string): Record<string, unknown> | undefined {
  if (!Array.isArray(reply)) throw new Error(`XINFO GROUPS: unexpected reply ${JSON.stringify(reply)}`)
  for (const raw of reply) {
    const info = raw instanceof Map ? Object.fromEntries(raw) : Array.isArray(raw) ? pairs(raw) : (raw as Record<string, unknown>)
    if (info.name === group) return info
  }
  return undefined
}

function parseEntries(raw: unknown, command: string): Array<{ id: string; fields: Record<string, string> | undefined }> {
  if (!Array.isArray(raw)) throw new Error(`${command}: unexpected entries ${JSON.stringify(raw)}`)
  return raw.map((entry) => {
    if (!Array.isArray(entry)) throw new Error(`${command}: unexpected entry ${JSON.stringify(entry)}`)
    const [id, values] = entry as [unknown, unknown]
    return { id: String(id), fields: Array.isArray(values) ? stringPairs(values) : undefined }
  })
}

function stringPairs(flat: readonly unknown[]): Record<string, string> {
  const record: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1])
  return record
}

function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1]
  return record
}
