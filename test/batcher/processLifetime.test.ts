/**
 * Issue 9 (process lifetime): accepted means it will be flushed or dead-lettered, even if the
 * script ends. Each case runs a small script in its own Node process (`node --import tsx`), the
 * way a user runs a batch job, and checks its exit code and what it wrote.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { root } from '../cli/run.ts'

/** Runs `test/fixtures/lifetime/<name>.ts`; a process kept alive past 30 s counts as hung. */
function runScript(name: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `test/fixtures/lifetime/${name}.ts`, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 })
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? ''
  return { code: result.status, signal: result.signal, stderr: result.stderr, written: lastLine ? (JSON.parse(lastLine) as Record<string, number>) : undefined }
}

describe('process lifetime', () => {
  it('`await stop()` after a failed flush waits out the retry: exit 0, all 25 rows written', () => {
    const run = runScript('stopAfterFailure')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.written).toEqual({ flushed: 25, deadLettered: 0 })
  })

  it('`await add()` behind a retry backoff mid-load: exit 0, all 25 rows written', () => {
    const run = runScript('addDuringLoad')
    expect(run.code).toBe(0)
    expect(run.written).toEqual({ flushed: 25, deadLettered: 0 })
  })

  it('a script that ends without stop() still flushes or dead-letters every accepted row', () => {
    const run = runScript('scriptEnds')
    expect(run.code).toBe(0)
    expect(run.written!['flushed']! + run.written!['deadLettered']!).toBe(25)
  })

  it('keepAlive: false lets the process end with rows still buffered (the documented opt-out)', () => {
    const run = runScript('scriptEnds', 'keepAlive=false')
    expect(run.code).toBe(0)
    expect(run.written).toEqual({ flushed: 0, deadLettered: 0 })
  })

  it('an idle batcher and supervisor, never stopped, hold no timer: the process exits by itself', () => {
    const run = runScript('idle')
    expect(run.signal).toBeNull()
    expect(run.code).toBe(0)
    expect(run.written).toEqual({ flushed: 6 })
  })

  it('a supervisor: `await add()` of 25 rows with failing first flushes, then `await stop()`: exit 0, all written', () => {
    const run = runScript('supervisorStop')
    expect(run.code).toBe(0)
    expect(run.written).toEqual({ flushed: 25, deadLettered: 0 })
  })
})
