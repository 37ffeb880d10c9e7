/**
 * A one-line progress bar for a terminal, redrawn in place with `\r`. On anything that is not
 * a TTY (a pipe, a file, CI logs) it writes nothing: no escape codes end up in captured output.
 */

/** Where the bar writes: a stream with `isTTY` and `columns` when it is a terminal. */
export interface BarStream {
  write(text: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

/** A progress bar; {@link createProgressBar} makes one. */
export interface ProgressBar {
  /** Redraws the bar at `fraction` (0..1) with `detail` after it. At most ~10 times a second. */
  update(fraction: number, detail: string): void
  /** Clears the bar's line, so the summary starts on a clean line. */
  done(): void
}

/** Creates a progress bar on `stream` (silent unless `stream.isTTY`). `now` is a clock in ms, for the redraw throttle. */
export function createProgressBar(stream: BarStream, now: () => number = () => performance.now()): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} }
  let lastDraw = -Infinity
  let drawn = false
  return {
    update(fraction, detail) {
      const at = now()
      if (at - lastDraw < 100 && fraction < 1) return
      lastDraw = at
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - detail.length - 10))
      const clamped = Math.min(1, Math.max(0, fraction))
      const filled = Math.round(clamped * width)
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}% ${detail}`
      stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`)
      drawn = true
    },
    done() {
      if (drawn) stream.write('\r\x1b[K')
    },
  }
}
