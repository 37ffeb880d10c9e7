import { vi } from 'vitest'
import { resolveOptions, type BatcherOptions } from '../../src/batcher/batcherOptions.ts'
import { FeedbackWindow } from '../../src/batcher/feedbackWindow.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/**
 * A FeedbackWindow on its own, over virtual time: `controller` decides (it keeps the target
 * unless it says otherwise), `due` counts the times the window asked for a decision, `oldest`
 * is the start of the oldest running attempt (set it to start or end one), and `logger` spies.
 */
export function feedbackWindow(controller: Partial<Controller<unknown>>, options: Partial<BatcherOptions<number>> = {}) {
  const time = createVirtualTime()
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
  const decide = vi.fn(controller.decide ?? (({ target }) => ({ ...target, state: null })))
  const full: Controller<unknown> = { name: 'probe', intervalMs: 10, initialState: () => null, ...controller, decide }
  const resolved = resolveOptions<number>({ flush: () => {}, size: { initial: 8, min: 1, max: 10 }, scheduler: time.scheduler, logger, controller: full, ...options })
  let dues = 0
  const attempt: { start: number | undefined } = { start: undefined }
  const window = new FeedbackWindow(resolved, () => void dues++, () => attempt.start)
  return { time, logger, decide, window, attempt, dues: () => dues }
}
