import { describe, expect, it } from 'vitest'
import { runCli } from './run.ts'

/** Every flag with a bad value, and the words its one-line error must hold. */
const badFlags: [string[], RegExp][] = [
  [['--count', '0'], /^loadbatch: --count must be an integer >= 1, got "0"$/],
  [['--count', 'many'], /--count must be an integer >= 1/],
  [['--initial-batch', '-3'], /--initial-batch must be an integer >= 1/],
  [['--min-batch', '1.5'], /--min-batch must be an integer >= 1/],
  [['--max-batch', 'x'], /--max-batch must be an integer >= 1/],
  [['--timeout', '2'], /--timeout must be a duration such as 500ms, 2s, 1m \(from 1ms to 24h\), got "2"/],
  [['--workers', '0'], /--workers must be an integer >= 1/],
  [['--pattern', 'wobbly'], /--pattern must be one of constant, sinewave, spikes, gradual, step, burst, got "wobbly"/],
  [['--adjust-interval', 'soon'], /--adjust-interval must be a duration such as 500ms, 2s, 1m/],
  [['--adjust-factor', '1.5'], /--adjust-factor must be a number > 0 and <= 1, got "1.5"/],
  [['--controller', 'pid'], /--controller must be one of autoTune, aimd, loadScore, gradient, latencyTarget, fixed, got "pid"/],
  [['--target-latency', '-1s'], /--target-latency must be a duration/],
  [['--rate', '0'], /--rate must be a number > 0/],
  [['--duration', '0s'], /--duration must be a duration/],
  [['--seed', '-1'], /--seed must be an integer >= 0/],
  [['--virtual=yes'], /--virtual takes no value/],
  [['--compare=1'], /--compare takes no value/],
  [['--out'], /--out needs a value/],
  [['--min-batch', '50', '--max-batch', '10'], /--min-batch must be an integer <= --max-batch \(10\), got 50/],
  [['--initial-batch', '200'], /--initial-batch must be an integer in --min-batch..--max-batch \(5..100\), got 200/],
  [['--frobnicate'], /unknown flag --frobnicate; accepted flags: --count, /],
  [['stray'], /unexpected argument stray/],
]

describe('loadbatch bad flags (child process)', () => {
  it.each(badFlags)('simulate %j: one line naming the flag and what it accepts, the usage, exit code 2', (args, message) => {
    const { code, stdout, stderr } = runCli(['simulate', ...args])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    const [first, blank, usageLine] = stderr.split('\n')
    expect(first).toMatch(message)
    expect(blank).toBe('')
    expect(usageLine).toBe('Usage: loadbatch <command> [flags]')
  })

  it('diagram --bogus: exit code 2 with the usage', () => {
    const { code, stderr } = runCli(['diagram', '--bogus'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^loadbatch: unknown flag --bogus; accepted flags: --out, --reports\n\nUsage:/)
  })

  it('an unknown command: exit code 2 with the usage', () => {
    const { code, stderr } = runCli(['simulat'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^loadbatch: unknown command simulat: one of simulate, diagram, evaluate\n/)
  })

  it('no command: exit code 2 with the usage', () => {
    const { code, stderr } = runCli([])
    expect(code).toBe(2)
    expect(stderr).toContain('Usage: loadbatch')
  })
})
