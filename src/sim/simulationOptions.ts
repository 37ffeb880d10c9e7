/** The options of a simulation run ({@link runSimulation}), their defaults and their checks. */
import type { SchedulerLike } from 'rxjs'
import type { Adaptive } from '../batcher/batcherOptions.ts'
import { resolveAdaptive } from '../batcher/batcherOptions.ts'
import { checkKeys } from '../checkOption.ts'
import type { Controller } from '../controllers/controller.ts'
import { ConfigError } from '../errors.ts'
import type { SimulationSample } from './runResult.ts'
import type { BackendOptions } from './backendOptions.ts'
import { loadPatternNames } from './loadPatterns.ts'

/** Where a run stands, for a progress bar. */
export interface SimulationProgress {
  /** Time since the start of the run, in ms. */
  readonly atMs: number
  /** Items settled so far: flushed or dead-lettered. */
  readonly itemsSettled: number
  /** Items the run will offer in all (Infinity when it runs for `durationMs` instead). */
  readonly itemsTotal: number
  /** The run's `durationMs` (Infinity when it runs until `count` items settled). */
  readonly durationMs: number
}

/** Options of {@link runSimulation}; every field is optional. */
export interface SimulationOptions {
  /** Name in tables and legends (default: `fixed N` for a fixed size, else the controller's name). */
  readonly label?: string
  /** Items to offer in all, an integer >= 1 or Infinity with `durationMs` (default 1000). */
  readonly count?: number
  /** Stop offering items after this many ms (default Infinity: offer all `count`). */
  readonly durationMs?: number
  /**
   * Producers, and flushes in flight at once (default 4). As in the Go demo, each worker is a
   * producer that hands items to the batcher and may be the one that writes a full batch, so
   * up to `workers` batches are written at once.
   */
  readonly workers?: number
  /**
   * Items offered per second by all producers together (default Infinity: each producer adds
   * as fast as the batcher accepts, waiting for room when it is full, as the Go demo's workers
   * do; then a run's length shows its throughput).
   */
  readonly ratePerSecond?: number
  /** Batch size: a number is fixed, a range adapts (default `{ initial: 20, min: 5, max: 100 }`). */
  readonly size?: Adaptive
  /** Flushes in flight at once: a number is fixed, a range adapts (default `workers`). */
  readonly concurrency?: Adaptive
  /** Longest an item waits for its batch, in ms (default 2000: the Go demo's `--timeout`). */
  readonly maxWaitMs?: number
  /** A flush call taking longer fails and is retried, in ms (default 30 000). */
  readonly flushTimeoutMs?: number
  /** The controller of an adaptive size or concurrency (default: the batcher's own default for a range). */
  readonly controller?: Controller<any>
  /** Load pattern of the backend, one of `loadPatternNames` (default `spikes`). */
  readonly pattern?: string
  /** Seed of the pattern, the backend's errors and latency jitter, and retry jitter (default 1). */
  readonly seed?: number
  /** Costs and limits of the simulated backend (default: the backend's defaults). */
  readonly backend?: Omit<BackendOptions, 'pattern' | 'seed'>
  /** `virtual` (default): as fast as the CPU allows, exactly repeatable. `real`: wall-clock time. */
  readonly clock?: 'virtual' | 'real'
  /** The real-time scheduler (default RxJS `asyncScheduler`, whose timers keep the process alive while it runs). */
  readonly scheduler?: SchedulerLike
  /** Time between samples of the time series, in ms (default 1000). */
  readonly sampleIntervalMs?: number
  /** A run still going after this many ms is stopped, its leftovers dead-lettered (default 24 h). */
  readonly maxRunMs?: number
  /** Called at each sample, for a progress bar. */
  readonly onProgress?: (progress: SimulationProgress, sample: SimulationSample) => void
}

/** The driver's defaults, as the CLI shows them. */
export const simulationDefaults = {
  count: 1000,
  workers: 4,
  size: { initial: 20, min: 5, max: 100 },
  maxWaitMs: 2000,
  flushTimeoutMs: 30_000,
  pattern: 'spikes',
  seed: 1,
  sampleIntervalMs: 1000,
  maxRunMs: 24 * 3_600_000,
} as const

/** Every option of runSimulation. */
const SIMULATION_OPTIONS = ['label', 'count', 'durationMs', 'workers', 'ratePerSecond', 'size', 'concurrency', 'maxWaitMs', 'flushTimeoutMs', 'controller', 'pattern', 'seed', 'backend', 'clock', 'scheduler', 'sampleIntervalMs', 'maxRunMs', 'onProgress'] as const

/** {@link SimulationOptions} checked, defaults filled in. */
export interface SimulationSettings {
  readonly label: string
  readonly count: number
  readonly durationMs: number
  readonly workers: number
  readonly ratePerSecond: number
  readonly size: { readonly initial: number; readonly min: number; readonly max: number }
  readonly concurrency: { readonly initial: number; readonly min: number; readonly max: number }
  readonly maxWaitMs: number
  readonly flushTimeoutMs: number
  readonly controller: Controller<any> | undefined
  readonly adaptive: boolean
  readonly pattern: string
  readonly seed: number
  readonly backend: Omit<BackendOptions, 'pattern' | 'seed'>
  readonly clock: 'virtual' | 'real'
  readonly sampleIntervalMs: number
  readonly maxRunMs: number
}

/** Checks every option of a simulation run (unknown names refused) and fills in the defaults. */
export function resolveSimulation(options: SimulationOptions): SimulationSettings {
  checkKeys('', options, SIMULATION_OPTIONS, 'runSimulation')
  const count = options.count ?? simulationDefaults.count
  const durationMs = options.durationMs ?? Infinity
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) throw new ConfigError('count', 'an integer >= 1, or Infinity with durationMs', count)
  if (!(durationMs > 0)) throw new ConfigError('durationMs', 'a number > 0 (ms)', durationMs)
  if (count === Infinity && durationMs === Infinity) throw new ConfigError('durationMs', 'a finite number of ms when count is Infinity', durationMs)
  const workers = options.workers ?? simulationDefaults.workers
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError('workers', 'an integer >= 1', workers)
  const ratePerSecond = options.ratePerSecond ?? Infinity
  if (!(ratePerSecond > 0)) throw new ConfigError('ratePerSecond', 'a number > 0, or Infinity for as fast as the batcher accepts', ratePerSecond)
  const size = resolveAdaptive('size', options.size ?? simulationDefaults.size)
  const pattern = options.pattern ?? simulationDefaults.pattern
  if (!(loadPatternNames as readonly string[]).includes(pattern)) throw new ConfigError('pattern', `one of ${loadPatternNames.join(', ')}`, pattern)
  const clock = options.clock ?? 'virtual'
  if (clock !== 'virtual' && clock !== 'real') throw new ConfigError('clock', "one of 'virtual', 'real'", clock)
  const sampleIntervalMs = options.sampleIntervalMs ?? simulationDefaults.sampleIntervalMs
  if (!(sampleIntervalMs >= 1)) throw new ConfigError('sampleIntervalMs', 'a number >= 1 (ms)', sampleIntervalMs)
  const maxRunMs = options.maxRunMs ?? simulationDefaults.maxRunMs
  if (!(maxRunMs > 0)) throw new ConfigError('maxRunMs', 'a number > 0 (ms)', maxRunMs)
  const controller = options.controller
  const concurrency = resolveAdaptive('concurrency', options.concurrency ?? workers)
  const adaptive = size.min !== size.max || concurrency.min !== concurrency.max
  return {
    label: options.label ?? (adaptive ? (controller?.name ?? 'default') : `fixed ${size.initial}`),
    adaptive,
    count,
    durationMs,
    workers,
    ratePerSecond,
    size,
    concurrency,
    maxWaitMs: options.maxWaitMs ?? simulationDefaults.maxWaitMs,
    flushTimeoutMs: options.flushTimeoutMs ?? simulationDefaults.flushTimeoutMs,
    controller,
    pattern,
    seed: options.seed ?? simulationDefaults.seed,
    backend: options.backend ?? {},
    clock,
    sampleIntervalMs,
    maxRunMs,
  }
}
