import type { SchedulerLike } from 'rxjs'
import { checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { unrefScheduler } from '../scheduler.ts'
import { safeLogger } from './safeLogger.ts'
import { defaultCapacity, type SourcePort } from './sourcePort.ts'

/** Options every source shares. */
export interface CommonSourceOptions<T> {
  /** The port items go into: a batcher or a supervisor. Required. */
  into: SourcePort<T>
  /** Items the port accepts at once; reads never go past the room left in it (default: the port's own, see `defaultCapacity`). */
  capacity?: number
  /** Where read errors, failed acknowledgements and dead letters are reported (default: silent). */
  logger?: Logger
  /** Time source for the source's waits (default: real time, unref'd timers). */
  scheduler?: SchedulerLike
}

/** The shared options, checked, with defaults filled in. */
export interface ResolvedCommonOptions<T> {
  readonly into: SourcePort<T>
  readonly capacity: number
  readonly logger: Logger
  readonly scheduler: SchedulerLike
}

/** Refuses any key of `options` that is not in `known`, naming it and the factory. */
export function refuseUnknownKeys(factory: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(key, `a known option of ${factory} (${known.join(', ')}); check its spelling`, (options as Record<string, unknown>)[key])
  }
}

/** Checks a string option that must not be empty. */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(field, 'a non-empty string', value)
  return value
}

/** Checks `into`, `capacity`, `logger` and `scheduler`, the options every source has. */
export function resolveCommonOptions<T>(options: CommonSourceOptions<T>): ResolvedCommonOptions<T> {
  const into = options.into
  if (typeof into !== 'object' || into === null || typeof into.submit !== 'function' || typeof into.metrics !== 'function' || typeof into.flush !== 'function') {
    throw new ConfigError('into', 'a port with submit, flush and metrics: a batcher (createBatcher) or a supervisor (createSupervisor)', into)
  }
  const capacity = checkNumber('capacity', options.capacity, defaultCapacity(into), { min: 1, integer: true })
  const logger = options.logger ?? silentLogger
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof logger[level] !== 'function') throw new ConfigError(`logger.${level}`, 'a function (console and pino fit)', logger[level])
  }
  const scheduler = options.scheduler ?? unrefScheduler
  if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new ConfigError('scheduler', 'an RxJS SchedulerLike ({ now(), schedule() })', scheduler)
  }
  return { into, capacity, logger: safeLogger(logger), scheduler }
}
