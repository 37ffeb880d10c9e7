/**
 * A command-line mistake: a bad or unknown flag, a missing value, an unknown command. The CLI
 * prints its one-line message, then the usage, and exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /** The flag or argument at fault, e.g. `--pattern` (empty when none applies). */
  readonly flag: string

  constructor(flag: string, message: string) {
    super(message)
    this.flag = flag
  }
}
