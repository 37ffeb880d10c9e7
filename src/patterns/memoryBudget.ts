import { checkNumber } from '../checkOption.ts'
import { AbortError, ConfigError } from '../errors.ts'

/** Options of {@link memoryBudget}. */
export interface MemoryBudgetOptions {
  /** Most weight (e.g. bytes) held at once, > 0. Infinity: no limit. */
  readonly maxInFlightBytes: number
}

/** A budget of in-flight weight; see {@link memoryBudget}. */
export interface MemoryBudget {
  /**
   * Takes `weight` from the budget, waiting (first come, first served) until it fits. A
   * weight larger than the whole budget is let through alone, when nothing else is held, so
   * it can never wait for ever. `onWait` is called once when the request has to wait: use it
   * to cut a partial batch whose items hold the budget. Rejects with AbortError on abort.
   */
  acquire(weight: number, options?: { signal?: AbortSignal; onWait?: () => void }): Promise<void>
  /** Gives `weight` back and lets waiting requests in. */
  release(weight: number): void
  /** Weight held now. */
  readonly held: number
  /** Requests waiting for room. */
  readonly waiting: number
}

interface Waiter {
  weight: number
  resolve(): void
}

/**
 * A memory budget: admits work while the weight held stays under `maxInFlightBytes`, and
 * holds back the rest until something is released (the batch guide's "resource-limited
 * batcher", without polling). Weights that are not finite numbers >= 0 count as 0.
 *
 * @example
 * const budget = memoryBudget({ maxInFlightBytes: 64 * 1024 * 1024 })
 * await budget.acquire(buffer.byteLength)
 * try { await upload(buffer) } finally { budget.release(buffer.byteLength) }
 */
export function memoryBudget(options: MemoryBudgetOptions): MemoryBudget {
  if (options?.maxInFlightBytes === undefined) throw new ConfigError('maxInFlightBytes', 'a number > 0 (or Infinity)', undefined)
  const max = checkNumber('maxInFlightBytes', options.maxInFlightBytes, Infinity, { min: 0, above: true, max: Infinity })
  let held = 0
  const waiters: Waiter[] = []
  const fits = (weight: number) => held === 0 || held + weight <= max
  const admit = () => {
    while (waiters.length > 0 && fits(waiters[0]!.weight)) {
      const waiter = waiters.shift()!
      held += waiter.weight
      waiter.resolve()
    }
  }
  return {
    acquire(rawWeight, { signal, onWait } = {}) {
      const weight = sanitize(rawWeight)
      if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
      if (waiters.length === 0 && fits(weight)) {
        held += weight
        return Promise.resolve()
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = waiters.indexOf(waiter)
          if (index >= 0) waiters.splice(index, 1)
          admit() // a large request leaving the head may unblock smaller ones behind it
          reject(new AbortError(signal!.reason))
        }
        const waiter: Waiter = {
          weight,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          },
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        waiters.push(waiter)
        onWait?.()
      })
    },
    release(weight) {
      held = Math.max(0, held - sanitize(weight))
      admit()
    },
    get held() {
      return held
    },
    get waiting() {
      return waiters.length
    },
  }
}

function sanitize(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 0
}
