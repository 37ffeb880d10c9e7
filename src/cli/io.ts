/** What the CLI reads and writes, injected so tests can run it in-process. */

import type { BarStream } from './progressBar.ts'

/** The CLI's streams and working directory. */
export interface CliIo {
  /** Summaries and tables. */
  readonly stdout: { write(text: string): unknown }
  /** Errors, usage after an error, and the progress bar (when it is a TTY). */
  readonly stderr: BarStream
  /** Relative `--out` paths resolve against it. */
  readonly cwd: string
}
