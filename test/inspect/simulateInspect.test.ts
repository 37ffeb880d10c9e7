import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { root } from '../cli/run.ts'

interface Message {
  type: string
  name?: string
  sessionId: string
  parentId?: string
  event?: { type: string }
  snapshot?: { value?: unknown; context?: Record<string, unknown> }
}

const servers: WebSocketServer[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A local stand-in for the inspector's WebSocket server: it records every message and when its client left. */
async function inspectorServer() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  servers.push(server)
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const messages: Message[] = []
  let closed: (code: number) => void
  const clientClosed = new Promise<number>((resolve) => (closed = resolve))
  server.on('connection', (socket) => {
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Message))
    socket.on('close', (code) => closed(code))
  })
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, messages, clientClosed }
}

/** Runs the CLI as a child process without blocking this one (the server above must keep answering). */
function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}/bin/loadbatch.js`, ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`the CLI did not exit within 60 s\n${stdout}\n${stderr}`))
    }, 60_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('loadbatch simulate --inspect', () => {
  it('streams the batcher, the supervisor and its workers to the inspector, then exits', { timeout: 90_000 }, async () => {
    const inspector = await inspectorServer()
    const result = await runCli(['simulate', '--inspect', '--inspect-url', inspector.url, '--duration', '1s', '--rate', '100'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(await inspector.clientClosed).toBe(1000) // a clean close, after the last event

    const actors = inspector.messages.filter((m) => m.type === '@xstate.actor')
    const names = actors.map((m) => m.name).sort()
    expect(names).toEqual(['batcher', 'supervisor', 'worker-0', 'worker-1', 'worker-2'])
    const supervisor = actors.find((m) => m.name === 'supervisor')!
    for (const worker of actors.filter((m) => m.name?.startsWith('worker-'))) expect(worker.parentId).toBe(supervisor.sessionId)

    const batcher = actors.find((m) => m.name === 'batcher')!
    const events = inspector.messages.filter((m) => m.type === '@xstate.event' && m.sessionId === batcher.sessionId).map((m) => m.event!.type)
    expect(events).toEqual(expect.arrayContaining(['BATCH_STARTED', 'BATCH_SETTLED', 'STOP', 'DRAINED']))
    const snapshots = inspector.messages.filter((m) => m.type === '@xstate.snapshot' && m.sessionId === batcher.sessionId)
    expect(snapshots.map((m) => m.snapshot!.value)).toEqual(expect.arrayContaining(['collecting', 'flushing', 'draining', 'stopped']))
    expect(snapshots.at(-1)!.snapshot!.value).toBe('stopped')
    const workerSnapshots = inspector.messages.filter((m) => m.type === '@xstate.snapshot' && actors.some((a) => a.name === 'worker-1' && a.sessionId === m.sessionId))
    expect(workerSnapshots.at(-1)?.snapshot?.value).toBe('stopped')

    const counts = /(\d+) items offered to each; batcher: (\d+) flushed, (\d+) dead-lettered; supervisor \(3 workers\): (\d+) flushed, (\d+) dead-lettered/.exec(result.stdout)
    const [offered, batcherFlushed, batcherFailed, poolFlushed, poolFailed] = counts!.slice(1).map(Number)
    expect(offered).toBe(100) // 100/s for 1 s, owed by the time that passed, whatever the timers' drift
    expect([batcherFlushed! + batcherFailed!, poolFlushed! + poolFailed!]).toEqual([offered, offered])
    const sent = Number(/(\d+) inspection events sent/.exec(result.stdout)?.[1])
    expect(sent).toBe(inspector.messages.length)
  })

  it('runs without the inspector, and exits, when its URL is unreachable', { timeout: 90_000 }, async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
    await new Promise<void>((resolve) => server.close(() => resolve())) // nothing listens there now
    const result = await runCli(['simulate', '--inspect', '--inspect-url', url, '--duration', '1s', '--rate', '100', '--virtual'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/the inspector at ws:\/\/127\.0\.0\.1:\d+ is unreachable .*ECONNREFUSED.*; running without it/)
    expect(result.stdout).toMatch(/100 items offered to each; batcher: \d+ flushed, \d+ dead-lettered; supervisor \(3 workers\): \d+ flushed, \d+ dead-lettered; no inspector connected/)
  })
})
