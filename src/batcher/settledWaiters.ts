/**
 * Callers of `flush()` waiting for every item accepted before a sequence number to settle. The
 * watermark (every item below it has settled) is read from the batcher on each release.
 */
export class SettledWaiters {
  private readonly waiters: { seq: number; resolve: () => void }[] = []

  constructor(private readonly watermark: () => number) {}

  /** Resolves when every item accepted before sequence number `seq` has settled. */
  whenBelow(seq: number): Promise<void> {
    if (this.watermark() >= seq) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ seq, resolve }))
  }

  /** Resolves the waits the watermark has passed. */
  release(): void {
    if (this.waiters.length === 0) return
    const mark = this.watermark()
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!
      if (waiter.seq <= mark) {
        this.waiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }
}
