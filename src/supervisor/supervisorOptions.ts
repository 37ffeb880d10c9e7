import type { SchedulerLike } from 'rxjs'
import type { InspectionEvent, Observer } from 'xstate'
import { SUPERVISOR_DEFAULTS, type SupervisorInput } from '../../machines/supervisor.types.ts'
import type { LeftoverTaker } from '../batcher/flight.ts'
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkScheduler } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { checkInspect, checkLogger, resolveOptions, type BatcherOptions } from '../batcher/batcherOptions.ts'
import type { WorkerLogic } from '../port.ts'
import { resolveBackoff, type BackoffPolicy } from '../retry.ts'
import { roundRobin } from '../routing/roundRobin.ts'
import type { Router } from '../routing/router.ts'
import { unrefScheduler } from '../scheduler.ts'
import { createBatcherLogic } from '../batcher/createBatcher.ts'

/** How many workers, and between which bounds autoscaling moves. */
export interface WorkerCountOptions {
  /** Fewest workers, an integer >= 1 (default 1). */
  readonly min?: number
  /** Most workers, >= min (default `min`: no autoscaling). */
  readonly max?: number
  /** Workers at start, within [min, max] (default `min`). */
  readonly initial?: number
}

/** One-for-one restarts of crashed workers. */
export interface RestartOptions {
  /** Restarts allowed within `withinMs`; one more crash escalates (default 3; 0: the first crash escalates). */
  readonly maxRestarts?: number
  /** The window of `maxRestarts`, in ms (default 60 000). */
  readonly withinMs?: number
  /** Wait before a restart, in ms, doubling with each crash inside the window (default 100). */
  readonly backoffMs?: number
  /** Ceiling of that wait, in ms (default 10 000). */
  readonly maxBackoffMs?: number
}

/** Autoscaling between `workers.min` and `workers.max`. Has no effect when they are equal. */
export interface ScaleOptions {
  /** How often the load is looked at, in ms (default 1000). The timer sleeps while the pool is idle at `min`. */
  readonly intervalMs?: number
  /** Least time between two scaling steps, in ms, so the pool does not flap (default 10 000). */
  readonly cooldownMs?: number
  /** Add a worker when items buffered + in flight per worker exceed this share of a worker's capacity (default 0.5). */
  readonly highWater?: number
  /** Remove one when they fall below this share (default 0.1, or `highWater` if lower) and the load score is below `lowScore`. */
  readonly lowWater?: number
  /** Add a worker when the workers' mean load score exceeds this, 0..1 (default 0.7). */
  readonly highScore?: number
  /** The load score below which a worker may be removed, 0..1 (default 0.3, or `highScore` if lower). */
  readonly lowScore?: number
}

/** Options of `createSupervisor`. Only `worker` is required. */
export interface SupervisorOptions<T> {
  /** Each worker's batcher options, or another supervisor's logic (`createSupervisorLogic`) to build a tree. Required. */
  worker: BatcherOptions<T> | WorkerLogic<T>
  /** Worker count and autoscaling bounds (default `{ min: 1, max: 1 }`). */
  workers?: WorkerCountOptions
  /** Which worker gets an item (default `roundRobin()`; also `leastLoaded()`, `byKey(fn)`). */
  route?: Router<T>
  /** Restarts of crashed workers (default 3 within 60 s, 100 ms backoff doubling). */
  restart?: RestartOptions
  /** Autoscaling (used when `workers.min < workers.max`). */
  scale?: ScaleOptions
  /** Gets items the supervisor held and could not deliver because it escalated (default: the worker options' onDeadLetter). */
  onDeadLetter?: (items: T[], error: unknown) => void | Promise<void>
  /** Time source for the scale timer and restart backoff (default: the worker's, else real time with unref'd timers). */
  scheduler?: SchedulerLike
  /** An XState inspection observer; it sees the supervisor and every worker. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Where restarts, escalation and scaling are reported (default: the worker's, else silent). */
  logger?: Logger
  /**
   * Keep the process alive while the supervisor holds accepted items for a restarting worker
   * (each worker batcher holds the process for its own items through its `keepAlive`). Default:
   * the worker options' `keepAlive`, else true on real time and false on an injected scheduler.
   */
  keepAlive?: boolean
}

/** Everything resolved from {@link SupervisorOptions}, shared by every actor made from one logic. */
export interface ResolvedSupervisor<T> {
  /** The worker logic for one slot; `takeLeftovers` gets what a worker gives up when its actor stops without draining. */
  readonly workerLogicFor: (takeLeftovers: LeftoverTaker<T>) => WorkerLogic<T>
  readonly workerCapacity: number
  readonly input: Required<SupervisorInput>
  readonly router: Router<T>
  /** Items in a row per pick of the router: its `run` resolved (1 for a keyed router). */
  readonly run: number
  readonly restart: BackoffPolicy
  readonly scale: Required<ScaleOptions>
  readonly scheduler: SchedulerLike
  readonly logger: Logger
  readonly onDeadLetter: ((items: T[], error: unknown) => void | Promise<void>) | undefined
  readonly keepAlive: boolean
  /** The workers' `weigh`, so an item is refused at the door rather than held for a worker that would refuse it. */
  readonly weigh: ((item: T) => number) | undefined
}

/** Every option of createSupervisor, in the order of {@link SupervisorOptions}. */
const SUPERVISOR_OPTIONS = ['worker', 'workers', 'route', 'restart', 'scale', 'onDeadLetter', 'scheduler', 'inspect', 'logger', 'keepAlive'] as const

function isWorkerLogic<T>(worker: SupervisorOptions<T>['worker']): worker is WorkerLogic<T> {
  return typeof worker === 'object' && worker !== null && 'logic' in worker && typeof (worker as WorkerLogic<T>).portOf === 'function'
}

export function resolveSupervisorOptions<T>(options: SupervisorOptions<T>): ResolvedSupervisor<T> {
  const given = checkKeys('', options, SUPERVISOR_OPTIONS, 'createSupervisor')
  const { worker } = options
  if (typeof worker !== 'object' || worker === null || Array.isArray(worker)) {
    throw new ConfigError('worker', 'batcher options ({ flush, … }) or a worker logic (createSupervisorLogic(…))', worker)
  }
  const input = resolveInput(options)
  const router = options.route ?? roundRobin<T>()
  if (typeof router !== 'object' || router === null || typeof router.pick !== 'function') {
    throw new ConfigError('route', 'a Router: roundRobin(), leastLoaded() or byKey(fn)', router)
  }
  const restart = resolveBackoff('restart', options.restart ?? {}, false)
  const scale = resolveScale(options.scale ?? {})
  checkFunction('onDeadLetter', options.onDeadLetter)
  checkInspect('inspect', given['inspect'])
  const ownLogger = options.logger === undefined ? undefined : checkLogger('logger', options.logger)
  if (options.scheduler !== undefined) checkScheduler('scheduler', options.scheduler)
  const keepAliveOption = options.keepAlive === undefined ? undefined : checkBoolean('keepAlive', options.keepAlive, true)
  let workerLogicFor: ResolvedSupervisor<T>['workerLogicFor']
  let workerCapacity: number
  let workerBatchSize = 1
  let logger = ownLogger
  let scheduler = options.scheduler
  let onDeadLetter = options.onDeadLetter
  let keepAlive = keepAliveOption
  if (isWorkerLogic(worker)) {
    workerLogicFor = () => worker
    workerCapacity = Infinity
  } else {
    const base: BatcherOptions<T> = { ...worker }
    if (options.scheduler !== undefined) base.scheduler ??= options.scheduler
    if (keepAliveOption !== undefined) base.keepAlive ??= keepAliveOption
    const resolved = resolveOptions(base, 'worker')
    scheduler ??= worker.scheduler
    logger ??= worker.logger === undefined ? undefined : resolved.logger
    onDeadLetter ??= worker.onDeadLetter
    keepAlive ??= worker.keepAlive
    workerCapacity = resolved.capacity
    workerBatchSize = resolved.size.initial
    workerLogicFor = (takeLeftovers) => createBatcherLogic(base, takeLeftovers)
  }
  return {
    workerLogicFor,
    workerCapacity,
    input,
    router,
    run: resolveRun(router, workerBatchSize),
    restart,
    scale,
    scheduler: scheduler ?? unrefScheduler,
    logger: logger ?? silentLogger,
    onDeadLetter,
    keepAlive: keepAlive ?? scheduler === undefined,
    weigh: isWorkerLogic(worker) ? undefined : worker.weigh,
  }
}

export function resolveInput<T>(options: SupervisorOptions<T>): Required<SupervisorInput> {
  const workers = options.workers === undefined ? {} : (checkKeys('workers', options.workers, ['min', 'max', 'initial'], 'workers') as WorkerCountOptions)
  const min = checkNumber('workers.min', workers.min, SUPERVISOR_DEFAULTS.min, { min: 1, integer: true })
  const max = checkNumber('workers.max', workers.max, min, { min: 1, integer: true })
  if (max < min) throw new ConfigError('workers.max', `an integer >= workers.min (${min})`, max)
  const initial = checkNumber('workers.initial', workers.initial, min, { min: 1, integer: true })
  if (initial < min || initial > max) throw new ConfigError('workers.initial', `an integer within [${min}, ${max}] (default: min)`, initial)
  const restart = options.restart === undefined ? {} : (checkKeys('restart', options.restart, ['maxRestarts', 'withinMs', 'backoffMs', 'maxBackoffMs'], 'restart') as RestartOptions)
  const maxRestarts = checkNumber('restart.maxRestarts', restart.maxRestarts, SUPERVISOR_DEFAULTS.maxRestarts, { min: 0, integer: true })
  const withinMs = checkNumber('restart.withinMs', restart.withinMs, SUPERVISOR_DEFAULTS.withinMs, { min: 1, max: Infinity })
  const scale = options.scale === undefined ? {} : (checkKeys('scale', options.scale, SCALE_OPTIONS, 'scale') as ScaleOptions)
  const cooldownMs = checkNumber('scale.cooldownMs', scale.cooldownMs, SUPERVISOR_DEFAULTS.cooldownMs, { min: 0, max: Infinity })
  return { min, max, initial, maxRestarts, withinMs, cooldownMs }
}

/** Items in a row per pick of `router` (see `Router.run`); `'batch'` is one worker batch. */
function resolveRun<T>(router: Router<T>, workerBatchSize: number): number {
  const run = router.run ?? 1
  if (run !== 'batch' && !(Number.isInteger(run) && run >= 1)) throw new ConfigError('route.run', "a positive integer or 'batch'", run)
  if (router.keyed) return 1
  return run === 'batch' ? workerBatchSize : run
}

const SCALE_OPTIONS = ['intervalMs', 'cooldownMs', 'highWater', 'lowWater', 'highScore', 'lowScore'] as const

function resolveScale(scale: ScaleOptions): Required<ScaleOptions> {
  const share = { min: 0, max: 1 }
  const highWater = checkNumber('scale.highWater', scale.highWater, 0.5, share)
  const highScore = checkNumber('scale.highScore', scale.highScore, 0.7, share)
  // A low mark left at its default follows a high mark set below it, so setting one option alone is never refused for the other.
  const resolved = {
    intervalMs: checkNumber('scale.intervalMs', scale.intervalMs, 1000, { min: 1, max: Infinity }),
    cooldownMs: checkNumber('scale.cooldownMs', scale.cooldownMs, SUPERVISOR_DEFAULTS.cooldownMs, { min: 0, max: Infinity }),
    highWater,
    lowWater: checkNumber('scale.lowWater', scale.lowWater, Math.min(0.1, highWater), share),
    highScore,
    lowScore: checkNumber('scale.lowScore', scale.lowScore, Math.min(0.3, highScore), share),
  }
  if (resolved.lowWater > resolved.highWater) throw new ConfigError('scale.lowWater', `<= scale.highWater (${resolved.highWater})`, resolved.lowWater)
  if (resolved.lowScore > resolved.highScore) throw new ConfigError('scale.lowScore', `<= scale.highScore (${resolved.highScore})`, resolved.lowScore)
  return resolved
}
