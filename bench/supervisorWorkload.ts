/**
 * The supervisor bench's workload, shared by bench/supervisor.ts (wall clock) and
 * bench/supervisor-instructions.ts (callgrind): ITEMS items, each `tryAdd`ed (falling back to
 * `await add` when the chosen worker is full), then `stop()` — async no-op flush, batch size
 * 100, one batcher of CAPACITY items against 4-worker supervisors whose workers hold a quarter
 * of it each.
 */
import { createBatcher } from '../src/batcher/createBatcher.ts'
import { byKey } from '../src/routing/byKey.ts'
import { leastLoaded } from '../src/routing/leastLoaded.ts'
import { roundRobin } from '../src/routing/roundRobin.ts'
import type { Router } from '../src/routing/router.ts'
import { createSupervisor } from '../src/supervisor/createSupervisor.ts'

export const ITEMS = 200_000
export const SIZE = 100
export const CAPACITY = 10_000
export const WORKERS = 4
/** Untimed rounds of every contender first, so shared code is compiled for all of them. */
export const WARMUP = 3
const flush = async (_batch: number[]) => {}

/** What the workload needs of a contender. */
export interface Sink {
  tryAdd(item: number): boolean
  add(item: number): Promise<void>
  stop(): Promise<void>
}

/** Pushes the workload's items through `target` and drains it. */
export async function push(target: Sink): Promise<void> {
  for (let i = 0; i < ITEMS; i++) if (!target.tryAdd(i)) await target.add(i)
  await target.stop()
}

const pool = (route: () => Router<number>) => () =>
  createSupervisor<number>({ worker: { flush, size: SIZE, capacity: CAPACITY / WORKERS }, workers: { min: WORKERS }, route: route() })

/** The contenders by short name, one batcher first, then the roundRobin supervisor. */
export const contenders: readonly { readonly key: string; readonly label: string; readonly make: () => Sink }[] = [
  { key: 'batcher', label: 'one batcher', make: () => createBatcher<number>({ flush, size: SIZE, capacity: CAPACITY }) },
  { key: 'supervisor', label: 'supervisor, 4 workers, roundRobin', make: pool(() => roundRobin<number>()) },
  { key: 'leastLoaded', label: 'supervisor, 4 workers, leastLoaded', make: pool(() => leastLoaded<number>()) },
  { key: 'byKey', label: 'supervisor, 4 workers, byKey(i % 64)', make: pool(() => byKey<number>((i) => i % 64)) },
]
