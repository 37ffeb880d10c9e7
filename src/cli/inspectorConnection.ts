/**
 * A connection to a Stately inspector over WebSocket that a short-lived process can rely on.
 *
 * `@statelyai/inspect`'s own `createWebSocketInspector` retries an unreachable URL every 5 s
 * forever, and its pending retry outlives `stop()`, keeping the process alive. Here the socket
 * is opened once, with a deadline: unreachable means a warning and a run without inspection.
 * `close()` waits for the events already queued to be written, then closes, with a deadline
 * too. `@statelyai/inspect` and `ws` are loaded only when asked for (optional dependencies).
 */

import type { InspectionEvent, Observer } from 'xstate'
import { unrefScheduler } from '../scheduler.ts'

/** A connected (or, when the inspector was unreachable, inert) inspection observer. */
export interface InspectorConnection {
  /** Pass it as a batcher's or supervisor's `inspect` option. */
  readonly inspect: Observer<InspectionEvent>
  /** Whether the inspector was reached. */
  readonly connected: boolean
  /** Inspection events written to the socket so far. */
  readonly sent: number
  /** Writes what is queued, then closes the socket; settles within `closeTimeoutMs`. Idempotent. */
  close(): Promise<void>
}

/** Options of {@link connectInspector}. */
export interface InspectorConnectionOptions {
  /** Longest wait for the socket to open, in ms (default 3000). */
  readonly connectTimeoutMs?: number
  /** Longest wait for queued events and the closing handshake, in ms (default 3000). */
  readonly closeTimeoutMs?: number
  /** Told when the inspector cannot be reached. */
  readonly warn: (message: string) => void
}

type Socket = import('ws').WebSocket

/** Opens a WebSocket to the inspector at `url` (e.g. `ws://localhost:8080`, what `@statelyai/inspect/server` listens on). */
export async function connectInspector(url: string, options: InspectorConnectionOptions): Promise<InspectorConnection> {
  const [{ createInspector }, { WebSocket }] = await Promise.all([import('@statelyai/inspect'), import('ws')]).catch((error: unknown) => {
    throw new Error(`inspection needs the optional packages @statelyai/inspect and ws (npm install -D @statelyai/inspect ws): ${String(error)}`)
  })
  const socket = await open(new WebSocket(url), options.connectTimeoutMs ?? 3000).catch((error: unknown) => {
    options.warn(`the inspector at ${url} is unreachable (${error instanceof Error ? error.message : String(error)}); running without it`)
    return undefined
  })
  if (!socket) return { inspect: { next: () => {} }, connected: false, sent: 0, close: async () => {} }
  socket.on('error', () => {}) // a broken connection loses inspection, never the run
  let sent = 0
  let pending = 0
  const inspector = createInspector({
    send(event) {
      if (socket.readyState !== WebSocket.OPEN) return
      let text: string
      try {
        text = JSON.stringify(event)
      } catch {
        return // an item that cannot be serialized is not worth failing the run for
      }
      pending++
      socket.send(text, () => pending--)
      sent++
    },
  })
  let closing: Promise<void> | undefined
  return {
    inspect: inspector.inspect,
    connected: true,
    get sent() {
      return sent
    },
    close() {
      closing ??= closeAfterQueued(socket, () => pending, options.closeTimeoutMs ?? 3000)
      return closing
    },
  }
}

function open(socket: Socket, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const deadline = unrefScheduler.schedule(() => {
      socket.terminate()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('open', () => {
      deadline.unsubscribe()
      resolve(socket)
    })
    socket.once('error', (error) => {
      deadline.unsubscribe()
      socket.terminate()
      reject(error)
    })
  })
}

/**
 * The inspector converts each XState event on a later turn (`setTimeout(0)` in Node), so a
 * few turns pass before the socket is closed; then every written frame precedes the close.
 */
async function closeAfterQueued(socket: Socket, pending: () => number, timeoutMs: number): Promise<void> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => unrefScheduler.schedule(() => resolve(), 0))
  for (let i = 0; i < 1000 && pending() > 0; i++) await turn()
  await new Promise<void>((resolve) => {
    const deadline = unrefScheduler.schedule(() => {
      socket.terminate()
      resolve()
    }, timeoutMs)
    socket.once('close', () => {
      deadline.unsubscribe()
      resolve()
    })
    socket.close(1000, 'run finished')
  })
}
