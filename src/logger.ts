/** Where a batcher reports what it cannot throw at anyone: drops, dead letters, sink errors. `console` and pino fit. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void
  info(message: string, ...details: unknown[]): void
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/** Drops everything; the default, so a library stays quiet unless a logger is given. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * Reports a counted event at most once per `intervalMs` (scheduler time), with how many
 * happened since the last report, so a flood of drops costs one log line, not one per item.
 */
export class RateLimitedReport {
  private pending = 0
  private lastAt = -Infinity

  constructor(
    private readonly intervalMs: number,
    private readonly report: (count: number, latest: unknown) => void,
  ) {}

  /** Counts `n` occurrences at time `now` (the latest with `detail`) and reports if the interval has passed. */
  note(n: number, now: number, detail?: unknown): void {
    this.pending += n
    if (now - this.lastAt >= this.intervalMs) {
      this.lastAt = now
      const count = this.pending
      this.pending = 0
      this.report(count, detail)
    }
  }
}

/**
 * The user's logger behind a guard: a method that throws is ignored, so a broken logger never
 * turns a report into a failure (a refused `tryAdd` still returns false, a dead letter still
 * settles its batch). Every report of a batcher and a supervisor goes through it.
 */
export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger) return logger
  const guard = (level: keyof Logger) => (message: string, ...details: unknown[]) => {
    try {
      logger[level](message, ...details)
    } catch {
      // The logger is the last place an error could be reported; there is nowhere left to send this one.
    }
  }
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') }
}
