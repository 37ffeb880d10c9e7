/**
 * Issue 10 items 16 and 17, issue 9 (option naming): every invalid option of every public
 * factory of the core (batcher, supervisor, routers) and every CLI flag is refused at creation
 * with a ConfigError (or a usage error) naming the field by its path; nothing is coerced, no
 * unknown name passes, and a misspelt one gets the nearest known name.
 */
import { describe, expect, it } from 'vitest'
import { aimd, autoTune, byKey, ConfigError, createBatcher, createSupervisor, createVirtualTime, fixed, gradient, latencyTarget, loadScore } from '../../src/index.ts'
import { main } from '../../src/cli/main.ts'

const flush = async () => {}
const controller = { name: 'c', intervalMs: 100, initialState: () => null, decide: ({ target }: { target: object }) => ({ ...target, state: null }) }

/** [what is wrong, the options patch, the field the error must name, and (optionally) what its message must hold]. */
const badBatcherOptions: [string, Record<string, unknown>, string, RegExp?][] = [
  ['no flush', { flush: undefined }, 'flush'],
  ['flush a string', { flush: 'insert' }, 'flush'],
  ['size 0', { size: 0 }, 'size'],
  ['size fractional', { size: 1.5 }, 'size'],
  ['size a string', { size: '10' }, 'size'],
  ['size an array', { size: [10] }, 'size'],
  ['size.min 0', { size: { min: 0, max: 5 } }, 'size.min'],
  ['size.min > size.max', { size: { min: 5, max: 1 } }, 'size.min'],
  ['size.initial outside the range', { size: { min: 1, max: 5, initial: 9 } }, 'size.initial'],
  ['size range without max', { size: { min: 1 } }, 'size.max'],
  ['size range with an unknown key', { size: { min: 1, max: 5, intial: 2 } }, 'size.intial', /did you mean `size.initial`\?/],
  ['size.min fractional', { size: { min: 1.5, max: 5 } }, 'size.min'],
  ['size.max 0', { size: { min: 1, max: 0 } }, 'size.max'],
  ['size.max fractional', { size: { min: 1, max: 4.5 } }, 'size.max'],
  ['size.initial fractional', { size: { min: 1, max: 5, initial: 2.5 } }, 'size.initial'],
  ['size range with a key nothing is near', { size: { min: 1, max: 5, bogus: 1 } }, 'size.bogus', /a range of `size`/],
  ['an option nothing is near', { bogus: 1 }, 'bogus', /createBatcher/],
  ['maxBatchSize 0', { maxBatchSize: 0 }, 'maxBatchSize'],
  ['maxWaitMs 0', { maxWaitMs: 0 }, 'maxWaitMs'],
  ['maxWaitMs a string', { maxWaitMs: '100' }, 'maxWaitMs'],
  ['maxWaitMs a boolean', { maxWaitMs: true }, 'maxWaitMs'],
  ['maxWaitMs an array', { maxWaitMs: [100] }, 'maxWaitMs'],
  ['maxWaitMs NaN', { maxWaitMs: NaN }, 'maxWaitMs'],
  ['capacity 0', { capacity: 0 }, 'capacity'],
  ['capacity a string', { capacity: '100' }, 'capacity'],
  ['capacity Infinity', { capacity: Infinity }, 'capacity'],
  ['capacity below the largest size', { size: 10, capacity: 5 }, 'capacity'],
  ['concurrency 0', { concurrency: 0 }, 'concurrency'],
  ['concurrency a string', { concurrency: '2' }, 'concurrency'],
  ['flushTimeoutMs 0', { flushTimeoutMs: 0 }, 'flushTimeoutMs'],
  ['flushTimeoutMs a string', { flushTimeoutMs: '100' }, 'flushTimeoutMs'],
  ['flushTimeoutMs a boolean', { flushTimeoutMs: true }, 'flushTimeoutMs'],
  ['flushTimeoutMs an array', { flushTimeoutMs: [100] }, 'flushTimeoutMs'],
  ['controller a number', { controller: 5 }, 'controller'],
  ['controller without decide', { controller: {} }, 'controller'],
  ['controller a function carrying decide and initialState', { controller: Object.assign(() => {}, { decide: controller.decide, initialState: controller.initialState, intervalMs: 10 }) }, 'controller'],
  ['controller.score not a function', { controller: { ...controller, score: 5 } }, 'controller.score'],
  ['controller.intervalMs 0', { controller: { ...controller, intervalMs: 0 } }, 'controller.intervalMs'],
  ['controller.intervalMs a string', { controller: { ...controller, intervalMs: '100' } }, 'controller.intervalMs'],
  ['feedback$ not an Observable', { feedback$: {} }, 'feedback$'],
  ['retry a string', { retry: 'abc' }, 'retry'],
  ['retry a number', { retry: 5 }, 'retry'],
  ['retry with a misspelt key', { retry: { attempt: 5 } }, 'retry.attempt', /did you mean `retry.attempts`\?/],
  ['retry.attempts 0', { retry: { attempts: 0 } }, 'retry.attempts'],
  ['retry.attempts a string', { retry: { attempts: '3' } }, 'retry.attempts'],
  ['retry.backoffMs negative', { retry: { backoffMs: -1 } }, 'retry.backoffMs'],
  ['retry.backoffMs Infinity', { retry: { backoffMs: Infinity } }, 'retry.backoffMs'],
  ['retry.maxBackoffMs a string', { retry: { maxBackoffMs: '10' } }, 'retry.maxBackoffMs'],
  ['retry.maxBackoffMs below backoffMs', { retry: { backoffMs: 100, maxBackoffMs: 50 } }, 'retry.maxBackoffMs'],
  ['retry.jitter a string', { retry: { jitter: 'yes' } }, 'retry.jitter'],
  ['onDeadLetter a number', { onDeadLetter: 5 }, 'onDeadLetter'],
  ['classify a number', { classify: 5 }, 'classify'],
  ['scheduler a number', { scheduler: 5 }, 'scheduler'],
  ['scheduler without schedule()', { scheduler: { now: () => 0 } }, 'scheduler'],
  ['inspect a number', { inspect: 42 }, 'inspect'],
  ['inspect an object without next', { inspect: {} }, 'inspect'],
  ['logger a number', { logger: 5 }, 'logger'],
  ['logger without info', { logger: { debug() {}, warn() {}, error() {} } }, 'logger.info'],
  ['weigh a number', { weigh: 5 }, 'weigh'],
  ['maxBatchWeight 0', { weigh: () => 1, maxBatchWeight: 0 }, 'maxBatchWeight'],
  ['maxBatchWeight a string', { weigh: () => 1, maxBatchWeight: '10' }, 'maxBatchWeight'],
  ['maxBatchWeight without weigh', { maxBatchWeight: 10 }, 'weigh'],
  ['random a number', { random: 0.5 }, 'random'],
  ['keepAlive a string', { keepAlive: 'yes' }, 'keepAlive'],
  ['an unknown option', { maxWait: 100 }, 'maxWait', /did you mean `maxWaitMs`\?/],
  ['an unknown option in another case', { flushtimeoutms: 100 }, 'flushtimeoutms', /did you mean `flushTimeoutMs`\?/],
  ['a per-key option that belongs to createKeyedBatcher', { batchKey: (item: unknown) => String(item) }, 'batchKey', /per-key batches are `createKeyedBatcher/],
]

const badSupervisorOptions: [string, Record<string, unknown>, string, RegExp?][] = [
  ['options not an object', { __replace: 5 }, 'options'],
  ['no worker', { worker: undefined }, 'worker'],
  ['worker a number', { worker: 5 }, 'worker'],
  ['a misspelt worker option', { worker: { flush, maxWait: 100 } }, 'worker.maxWait', /did you mean `worker.maxWaitMs`\?/],
  ['a bad worker option', { worker: { flush, maxWaitMs: '100' } }, 'worker.maxWaitMs'],
  ['a bad nested worker option', { worker: { flush, retry: { attempts: 0 } } }, 'worker.retry.attempts'],
  ['workers a number', { workers: 5 }, 'workers'],
  ['workers.min 0', { workers: { min: 0 } }, 'workers.min'],
  ['workers.min a string', { workers: { min: '1' } }, 'workers.min'],
  ['workers.max below min', { workers: { min: 2, max: 1 } }, 'workers.max'],
  ['workers with a misspelt key', { workers: { mn: 1 } }, 'workers.mn', /did you mean `workers.min`\?/],
  ['route a number', { route: 5 }, 'route'],
  ['route without pick', { route: {} }, 'route'],
  ['restart a string', { restart: 'x' }, 'restart'],
  ['restart.maxRestarts negative', { restart: { maxRestarts: -1 } }, 'restart.maxRestarts'],
  ['restart.withinMs a string', { restart: { withinMs: '100' } }, 'restart.withinMs'],
  ['restart.backoffMs Infinity', { restart: { backoffMs: Infinity } }, 'restart.backoffMs'],
  ['scale a number', { scale: 5 }, 'scale'],
  ['scale.intervalMs a string', { scale: { intervalMs: '100' } }, 'scale.intervalMs'],
  ['scale.highWater above 1', { scale: { highWater: 2 } }, 'scale.highWater'],
  ['scale.lowWater above highWater', { scale: { lowWater: 0.6 } }, 'scale.lowWater'],
  ['onDeadLetter a number', { onDeadLetter: 5 }, 'onDeadLetter'],
  ['classify a number', { classify: 5 }, 'classify'],
  ['scheduler a number', { scheduler: 5 }, 'scheduler'],
  ['inspect a number', { inspect: 42 }, 'inspect'],
  ['logger a number', { logger: 5 }, 'logger'],
  ['keepAlive a number', { keepAlive: 1 }, 'keepAlive'],
  ['an unknown option', { wrokers: { min: 1 } }, 'wrokers', /did you mean `workers`\?/],
]

function configErrorOf(create: () => unknown): ConfigError {
  try {
    create()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('no ConfigError was thrown')
}

describe('createBatcher refuses every invalid option, naming it', () => {
  it.each(badBatcherOptions)('%s', (_what, patch, field, message) => {
    const error = configErrorOf(() => createBatcher({ flush, ...patch } as never))
    expect(error.field).toBe(field)
    expect(error.message).toMatch(new RegExp(`^Expected \`${field.replace(/[.$]/g, '\\$&')}\` to be `))
    if (message) expect(error.message).toMatch(message)
  })

  it('accepts what the issue found wrongly refused or unclear: a long first backoff alone, a range without initial, Infinity times', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush, scheduler: time.scheduler, retry: { backoffMs: 30_000 }, size: { min: 5, max: 50 }, maxWaitMs: Infinity, flushTimeoutMs: Infinity })
    expect(batcher.metrics().batchSize).toBe(5) // initial = min
    await batcher.stop()
  })
})

describe('createSupervisor refuses every invalid option, naming it by its path', () => {
  it.each(badSupervisorOptions)('%s', (_what, patch, field, message) => {
    const options = '__replace' in patch ? patch['__replace'] : { worker: { flush }, ...patch }
    const error = configErrorOf(() => createSupervisor(options as never))
    expect(error.field).toBe(field)
    if (message) expect(error.message).toMatch(message)
  })
})

describe('controllers refuse unknown option names, with the nearest one', () => {
  const misspelt: [string, () => unknown, string, string][] = [
    ['aimd', () => aimd({ increse: 5 } as never), 'increse', 'increase'],
    ['gradient', () => gradient({ tolerence: 2 } as never), 'tolerence', 'tolerance'],
    ['latencyTarget', () => latencyTarget({ targetMs: 100, intervalMS: 10 } as never), 'intervalMS', 'intervalMs'],
    ['loadScore', () => loadScore({ weight: {} } as never), 'weight', 'weights'],
    ['autoTune', () => autoTune({ targetLatency: 100 } as never), 'targetLatency', 'targetLatencyMs'],
    ['fixed', () => fixed({ interval: 10 } as never), 'interval', 'intervalMs'],
  ]
  it.each(misspelt)('%s', (_name, create, field, near) => {
    const error = configErrorOf(create)
    expect(error.field).toBe(field)
    expect(error.message).toContain(`did you mean \`${near}\`?`)
  })
})

describe('routers refuse invalid options', () => {
  it('byKey with a key function that is no function', () => {
    expect(configErrorOf(() => byKey('tenant' as never)).field).toBe('route')
  })
})

/** Runs the CLI in-process; what it printed and its exit code. */
async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } as never, cwd: process.cwd() })
  return { code, stdout, stderr, firstLine: stderr.split('\n')[0] }
}

const badFlags: [string[], RegExp][] = [
  [['--timeout', '0.5ms'], /^loadbatch: --timeout must be a duration such as 500ms, 2s, 1m \(from 1ms to 24h\), got "0.5ms"$/],
  [['--timeout', '1000000h'], /^loadbatch: --timeout must be a duration .*got "1000000h"$/],
  [['--adjust-interval', '0.5ms'], /^loadbatch: --adjust-interval must be a duration .*got "0.5ms"$/],
  [['--adjust-interval', '100000h'], /^loadbatch: --adjust-interval must be a duration/],
  [['--duration', '0.2ms'], /^loadbatch: --duration must be a duration/],
  [['--target-latency', '48h'], /^loadbatch: --target-latency must be a duration/],
  [['--out', '/dev/null/report'], /^loadbatch: --out must be a directory that can be written \(or created\), got "\/dev\/null\/report"$/],
  [['--out', ''], /^loadbatch: --out must be a directory/],
  [['--count', '0'], /^loadbatch: --count must be an integer >= 1, got "0"$/],
  [['--count', '1e3'], /^loadbatch: --count must be an integer >= 1/],
  [['--initial-batch', '-3'], /^loadbatch: --initial-batch must be an integer >= 1/],
  [['--min-batch', '1.5'], /^loadbatch: --min-batch must be an integer >= 1/],
  [['--max-batch', 'x'], /^loadbatch: --max-batch must be an integer >= 1/],
  [['--workers', '0'], /^loadbatch: --workers must be an integer >= 1/],
  [['--pattern', 'wobbly'], /^loadbatch: --pattern must be one of /],
  [['--adjust-factor', '0'], /^loadbatch: --adjust-factor must be a number > 0 and <= 1/],
  [['--controller', 'pid'], /^loadbatch: --controller must be one of /],
  [['--rate', '-5'], /^loadbatch: --rate must be a number > 0/],
  [['--seed', '1.5'], /^loadbatch: --seed must be an integer >= 0/],
  [['--virtual=yes'], /^loadbatch: --virtual takes no value/],
  [['--compare=1'], /^loadbatch: --compare takes no value/],
  [['--timout', '2s'], /^loadbatch: unknown flag --timout/],
]

describe('every CLI flag refuses a bad value before anything runs', () => {
  it.each(badFlags)('simulate %j: exit code 2, one line naming the flag, nothing simulated', async (args, message) => {
    const run = await cli(['simulate', ...args])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.firstLine).toMatch(message)
  })

  it('diagram --out /dev/null/x: exit code 2 naming --out, nothing written', async () => {
    const run = await cli(['diagram', '--out', '/dev/null/x'])
    expect(run.code).toBe(2)
    expect(run.firstLine).toMatch(/^loadbatch: --out must be a directory/)
  })
})
