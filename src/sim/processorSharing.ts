/**
 * The serving side of the simulated backend: calls in flight share it and each progresses at
 * the pace of the moment (processor sharing), `1 / slowdown(u)` of its idle pace, so a call
 * slows while others pile on and speeds up when they end or the background falls. Time moves
 * in cells within which the load counts as constant, so a run does not depend on how often
 * the clock is read.
 */

/** The load is taken as constant within cells of this many ms (the background read at each cell's start). */
const CELL_MS = 25
/** Work left under this, in ms, counts as done (rounding of the float steps). */
const DONE_EPSILON = 1e-9

/** The pace of the calls in flight in the cell starting at `cellStartMs`, with `itemsInFlight` items in them, and the utilisation it comes from. */
export type PaceAt = (cellStartMs: number, itemsInFlight: number) => { readonly pace: number; readonly utilisation: number }

/** How a served call ended: when, and its mean utilisation over its life. */
export interface ServedEnd {
  readonly endMs: number
  readonly meanUtilisation: number
  /** Cancelled by its caller rather than served to the end. */
  readonly cancelled: boolean
}

interface Served<C> {
  readonly call: C
  readonly items: number
  readonly startMs: number
  readonly startUtilisation: number
  remainingMs: number
  /** ∫ utilisation dt so far. */
  utilisationMs: number
  cancelled: boolean
}

/** Calls served together; `onEnd` hears of each as it ends, in the order they end. */
export class ProcessorSharing<C> {
  private running: Served<C>[] = []
  /** Items of the calls in flight. */
  itemsInFlight = 0
  /** The serving clock, ms: it never runs backwards. */
  clockMs = 0

  constructor(
    private readonly paceAt: PaceAt,
    private readonly onEnd: (call: C, end: ServedEnd) => void,
  ) {}

  /** Calls in flight. */
  get callsInFlight(): number {
    return this.running.length
  }

  /** Starts serving `call` at the clock's time: `workMs` of an idle backend's work, `items` of load. */
  start(call: C, items: number, workMs: number, startUtilisation: number): void {
    this.running.push({ call, items, startMs: this.clockMs, startUtilisation, remainingMs: workMs, utilisationMs: 0, cancelled: false })
    this.itemsInFlight += items
    this.retire()
  }

  /** Ends `call` now if it still runs (its caller gave up on it); false when it already ended. */
  cancel(call: C): boolean {
    const served = this.running.find((r) => r.call === call)
    if (!served) return false
    served.cancelled = true
    served.remainingMs = 0
    this.retire()
    return true
  }

  /** Serves the calls in flight up to `nowMs`, cell by cell and end by end; the clock then reads `nowMs` (or later, never earlier). */
  advanceTo(nowMs: number): void {
    this.retire()
    while (this.clockMs < nowMs && this.running.length > 0) {
      const { pace, utilisation } = this.paceAt(cellStart(this.clockMs), this.itemsInFlight)
      const firstEnd = this.clockMs + this.leastWork() / pace
      const until = Math.min(nowMs, cellStart(this.clockMs) + CELL_MS, firstEnd)
      const elapsed = until - this.clockMs
      for (const r of this.running) {
        r.remainingMs = until === firstEnd && r.remainingMs / pace <= elapsed ? 0 : r.remainingMs - elapsed * pace
        r.utilisationMs += utilisation * elapsed
      }
      this.clockMs = until
      this.retire()
    }
    if (nowMs > this.clockMs) this.clockMs = nowMs
  }

  /** When the first call in flight ends if no other starts first (Infinity when none runs): a look ahead, cell by cell, at today's load. */
  nextEndMs(): number {
    if (this.running.length === 0) return Infinity
    let left = this.leastWork()
    let at = this.clockMs
    for (;;) {
      const { pace } = this.paceAt(cellStart(at), this.itemsInFlight)
      const cellEnd = cellStart(at) + CELL_MS
      if (at + left / pace <= cellEnd) return at + left / pace
      left -= (cellEnd - at) * pace
      at = cellEnd
    }
  }

  private leastWork(): number {
    let least = Infinity
    for (const r of this.running) if (r.remainingMs < least) least = r.remainingMs
    return least
  }

  /** Ends the calls whose work is done, at the clock's time. */
  private retire(): void {
    if (!this.running.some((r) => r.remainingMs <= DONE_EPSILON)) return
    const ended = this.running.filter((r) => r.remainingMs <= DONE_EPSILON)
    this.running = this.running.filter((r) => r.remainingMs > DONE_EPSILON)
    this.itemsInFlight = this.running.reduce((sum, r) => sum + r.items, 0)
    for (const r of ended) {
      const latencyMs = this.clockMs - r.startMs
      this.onEnd(r.call, { endMs: this.clockMs, meanUtilisation: latencyMs > 0 ? r.utilisationMs / latencyMs : r.startUtilisation, cancelled: r.cancelled })
    }
  }
}

function cellStart(atMs: number): number {
  return Math.floor(atMs / CELL_MS) * CELL_MS
}
