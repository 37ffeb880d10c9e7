import type { ControlTarget } from '../controllers/controller.ts'
import type { Flight } from './flight.ts'

/**
 * Retries run inside the target: after the controller cut it, a retry waits until fewer
 * attempts run than its concurrency and its items fit the items in flight it allows (size ×
 * concurrency), oldest first. Retrying every stalled batch at once would hold the backend as
 * much as before the cut. Alone, a retry always runs.
 */
export class RetryGate<T> {
  private readonly waiting: Flight<T>[] = []

  constructor(
    private readonly flights: Set<Flight<T>>,
    private readonly target: () => ControlTarget,
    private readonly run: (flight: Flight<T>) => void,
  ) {}

  /** A retry whose backoff ended: it runs now if it fits and none waits before it, else it waits. */
  offer(flight: Flight<T>): void {
    if (this.waiting.length === 0 && this.fits(flight)) this.run(flight)
    else this.waiting.push(flight)
  }

  /** An attempt ended: start waiting retries, oldest first, while they fit. */
  release(): void {
    while (this.waiting.length > 0 && (this.waiting[0]!.done || this.fits(this.waiting[0]!))) {
      const flight = this.waiting.shift()!
      if (!flight.done) this.run(flight)
    }
  }

  private fits(flight: Flight<T>): boolean {
    let attempts = 0
    let items = 0
    for (const other of this.flights) {
      if (other.attemptStart === undefined) continue
      attempts++
      items += other.items.length
    }
    const { batchSize, concurrency } = this.target()
    return attempts === 0 || (attempts < concurrency && items + flight.items.length <= batchSize * concurrency)
  }
}
