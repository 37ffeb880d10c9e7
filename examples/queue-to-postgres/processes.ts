/** Consumer processes as the pipeline's runner (and the crash tests) start, watch and end them. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The consumer process script of this example. */
export const consumerScript = fileURLToPath(new URL('./consumer.ts', import.meta.url))

/** A consumer process: the JSON events it printed, and ways to wait for one and to end it. */
export interface ConsumerProcess {
  readonly name: string
  readonly child: ChildProcess
  /** Every JSON line it printed, in order. */
  readonly events: Array<Record<string, unknown>>
  /** Resolves with the first event (past or future) that `match` accepts; rejects if the process exits first. */
  waitFor(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  /** Resolves with the exit code (or the signal's name) when it exits. */
  readonly exited: Promise<number | string>
}

/**
 * Starts `node --import tsx <script> '<config as JSON>'`. Lines that are JSON objects become
 * events; other lines are passed to `log` (default: dropped), as is stderr.
 */
export function startConsumerProcess(name: string, config: object, script = consumerScript, log: (line: string) => void = () => {}): ConsumerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const events: Array<Record<string, unknown>> = []
  const listeners = new Set<() => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>)
        for (const listener of listeners) listener()
        return
      } catch {
        // not an event: logged below
      }
    }
    log(`[${name}] ${line}`)
  })
  createInterface({ input: child.stderr! }).on('line', (line) => log(`[${name}] ${line}`))
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  const waitFor = (match: (event: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = events.find(match)
        if (!found) return
        listeners.delete(check)
        resolve(found)
      }
      listeners.add(check)
      check()
      void exited.then((code) => {
        if (listeners.delete(check)) reject(new Error(`${name} exited (${code}) before the event it was waited for`))
      })
    })
  return { name, child, events, waitFor, exited }
}
