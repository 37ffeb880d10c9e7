/** Durations on the command line: `500ms`, `2s`, `1.5s`, `1m`, `1h` (the Go demo's `time.Duration` forms). */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const

/** What a duration flag accepts, for error messages. */
export const durationForms = 'a duration such as 500ms, 2s, 1m'

/**
 * Milliseconds in `text`, or undefined when it is not a positive duration: a number followed
 * by `ms`, `s`, `m` or `h` (a bare number is not accepted, so a unit is never guessed).
 *
 * @example parseDuration('2s') // 2000
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/.exec(text.trim())
  if (!match) return undefined
  const value = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return value > 0 && Number.isFinite(value) ? value : undefined
}

/** `ms` written back the short way: `500ms`, `2s`, `1.5s`, `1m`, `1h`. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`
  return `${+ms.toFixed(3)}ms`
}
