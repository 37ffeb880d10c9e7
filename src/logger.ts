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
    private readonly report: (count: number) => void,
  ) {}

  /** Counts `n` occurrences at time `now` and reports if the interval has passed. */
  note(n: number, now: number): void {
    this.pending += n
    if (now - this.lastAt >= this.intervalMs) {
      this.lastAt = now
      const count = this.pending
      this.pending = 0
      this.report(count)
    }
  }
}
