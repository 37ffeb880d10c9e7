/**
 * The abort signal of one flush attempt, made only if the flush function reads it.
 *
 * Why: an `AbortController` per batch was ~11% of `tryAdd`'s cost at batch 100 in
 * bench/enqueue, and most sinks never look at `info.signal`. Aborting before anyone asked
 * for the signal is remembered, so a late reader still gets an aborted signal with the reason.
 */
export class AttemptSignal {
  private controller: AbortController | undefined
  private reason: unknown
  private aborted = false

  /** The signal to hand the sink; created on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort(this.reason)
    }
    return this.controller.signal
  }

  /** Aborts the attempt with `reason` (only the first call counts). */
  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.controller?.abort(reason)
  }
}
