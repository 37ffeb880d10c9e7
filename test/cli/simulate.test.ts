import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './run.ts'

const quick = ['--virtual', '--count', '3000']

describe('loadbatch simulate (child process)', () => {
  it('prints a summary and writes an SVG and an HTML report, exit code 0', () => {
    const out = mkdtempSync(join(tmpdir(), 'loadbatch-cli-'))
    const { code, stdout, stderr } = runCli(['simulate', ...quick, '--out', out])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('loadbatch simulate: spikes load, controller autoTune')
    expect(stdout).toMatch(/throughput\s+\d+ items\/s/)
    expect(stdout).toMatch(/latency\s+p50 \d+ ms, p99 \d+ ms/)
    expect(stdout).toMatch(/errors\s+\d+ failed items/)
    expect(stdout).toMatch(/batch size\s+final \d+, average [\d.]+/)
    expect(stdout).toContain('fixed 100')
    const svg = readFileSync(join(out, 'simulate-spikes.svg'), 'utf8')
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg.match(/<g class="chart"/g)).toHaveLength(4)
    const html = readFileSync(join(out, 'simulate-spikes.html'), 'utf8')
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/)
  })

  it('with --compare prints a table row per run: the controller, fixed 5, 20 and 100', () => {
    const out = mkdtempSync(join(tmpdir(), 'loadbatch-cli-'))
    const { code, stdout } = runCli(['simulate', ...quick, '--compare', '--pattern', 'burst', '--controller', 'aimd', '--out', out])
    expect(code).toBe(0)
    const rows = stdout.split('\n').filter((line) => /^(aimd|fixed (5|20|100)) /.test(line))
    expect(rows.map((row) => row.split(/\s{2,}/)[0])).toEqual(['aimd', 'fixed 5', 'fixed 20', 'fixed 100'])
    expect(existsSync(join(out, 'simulate-burst-compare.svg'))).toBe(true)
    expect(existsSync(join(out, 'simulate-burst-compare.html'))).toBe(true)
  })

  it('gives the same summary twice for the same seed in virtual time', () => {
    const out = mkdtempSync(join(tmpdir(), 'loadbatch-cli-'))
    const first = runCli(['simulate', ...quick, '--seed', '9', '--out', out])
    const second = runCli(['simulate', ...quick, '--seed', '9', '--out', out])
    expect(second.stdout).toBe(first.stdout)
  })

  it('draws no progress bar when stderr is not a terminal', () => {
    const out = mkdtempSync(join(tmpdir(), 'loadbatch-cli-'))
    const { stderr, stdout } = runCli(['simulate', ...quick, '--out', out])
    expect(stderr).toBe('')
    expect(stdout).not.toContain('\r')
  })

  it('prints the usage for --help, exit code 0', () => {
    const { code, stdout } = runCli(['simulate', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: loadbatch <command> [flags]')
    expect(stdout).toContain('--adjust-interval <duration>')
  })
})
