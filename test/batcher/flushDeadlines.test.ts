import { describe, expect, it } from 'vitest'
import type { SchedulerAction, SchedulerLike } from 'rxjs'
import { FlushDeadlines } from '../../src/batcher/flushDeadlines.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/** Flush timeouts on one timer (src/batcher/flushDeadlines.ts): each fires once, at its time, unless cancelled. */
function deadlines() {
  const time = createVirtualTime()
  const fired: string[] = []
  const set = new FlushDeadlines(time.scheduler)
  const add = (name: string, delayMs: number) => set.add(delayMs, () => void fired.push(`${name}@${time.now()}`))
  return { time, fired, add }
}

describe('flush deadlines', () => {
  it('fires each deadline once, at its time, earliest first, whatever order they were added in', async () => {
    const { time, fired, add } = deadlines()
    add('b', 30)
    add('a', 10)
    add('c', 30)
    await time.advanceBy(9)
    expect(fired).toEqual([])
    await time.advanceBy(1)
    expect(fired).toEqual(['a@10'])
    await time.advanceBy(19)
    expect(fired).toEqual(['a@10'])
    await time.advanceBy(100)
    expect(fired).toEqual(['a@10', 'b@30', 'c@30'])
  })

  it('wakes for a deadline added after the earlier ones fired, counted from when it was added', async () => {
    const { time, fired, add } = deadlines()
    add('a', 10)
    await time.advanceBy(15)
    add('b', 10)
    await time.advanceBy(9)
    expect(fired).toEqual(['a@10'])
    await time.advanceBy(1)
    expect(fired).toEqual(['a@10', 'b@25'])
  })

  it('never fires a cancelled deadline, and still fires the others', async () => {
    const { time, fired, add } = deadlines()
    const a = add('a', 10)
    add('b', 20)
    a.unsubscribe()
    a.unsubscribe()
    await time.advanceBy(100)
    expect(fired).toEqual(['b@20'])
  })

  it('fires a deadline added after every other was cancelled', async () => {
    const { time, fired, add } = deadlines()
    add('a', 10).unsubscribe()
    await time.settle()
    add('b', 30)
    await time.advanceBy(29)
    expect(fired).toEqual([])
    await time.advanceBy(1)
    expect(fired).toEqual(['b@30'])
  })

  it('never fires an infinite deadline', async () => {
    const { time, fired, add } = deadlines()
    add('never', Infinity).unsubscribe()
    add('never', Infinity)
    await time.advanceBy(2 ** 40)
    expect(fired).toEqual([])
  })
})

/** A scheduler over virtual time that counts the timers armed and those still live (armed, neither run nor cancelled). */
function countingDeadlines() {
  const time = createVirtualTime()
  let armed = 0
  let live = 0
  const scheduler: SchedulerLike = {
    now: () => time.scheduler.now(),
    schedule(work, delay, state) {
      armed++
      live++
      let ended = false
      const end = () => {
        if (!ended) live--
        ended = true
      }
      const action = time.scheduler.schedule(function (this: SchedulerAction<unknown>, value) {
        end()
        work.call(this, value as never)
      }, delay, state)
      action.add(end)
      return action
    },
  }
  const fired: string[] = []
  const set = new FlushDeadlines(scheduler)
  const add = (name: string, delayMs: number, then?: () => void) => set.add(delayMs, () => {
    fired.push(`${name}@${time.now()}`)
    then?.()
  })
  return { time, fired, add, armed: () => armed, live: () => live }
}

describe('flush deadlines on one timer', () => {
  it('arms one timer for deadlines at the same time or later, and re-arms only for an earlier one', () => {
    const { add, armed, live } = countingDeadlines()
    add('a', 20)
    add('b', 20)
    add('c', 30)
    expect([armed(), live()]).toEqual([1, 1])
    add('d', 10)
    expect([armed(), live()]).toEqual([2, 1])
  })

  it('lets its timer go at the end of the turn in which the last deadline was cancelled', async () => {
    const { add, live } = countingDeadlines()
    const a = add('a', 10)
    const b = add('b', 20)
    a.unsubscribe()
    await Promise.resolve()
    expect(live()).toBe(1) // b is still pending
    b.unsubscribe()
    expect(live()).toBe(1) // not within the turn: a quick flush's next deadline reuses it
    await Promise.resolve()
    expect(live()).toBe(0)
  })

  it('keeps its timer when a deadline is added in the same turn as the last one was cancelled', async () => {
    const { time, fired, add, armed, live } = countingDeadlines()
    add('a', 10).unsubscribe()
    add('b', 10)
    await Promise.resolve()
    expect([armed(), live()]).toEqual([1, 1])
    await time.advanceBy(10)
    expect(fired).toEqual(['b@10'])
    expect(live()).toBe(0)
  })

  it('re-arms for the next deadline after firing, and not at all once none is left', async () => {
    const { time, fired, add, armed, live } = countingDeadlines()
    add('a', 10)
    add('b', 25)
    await time.advanceBy(10)
    expect([fired, armed(), live()]).toEqual([['a@10'], 2, 1])
    await time.advanceBy(15)
    expect([fired, armed(), live()]).toEqual([['a@10', 'b@25'], 2, 0])
  })

  it('does not fire a deadline of the same moment that an earlier one cancelled as it fired', async () => {
    const { time, fired, add } = countingDeadlines()
    let b: { unsubscribe(): void } | undefined
    add('a', 10, () => b?.unsubscribe())
    b = add('b', 10)
    add('c', 10)
    await time.advanceBy(10)
    expect(fired).toEqual(['a@10', 'c@10'])
  })

  it('fires a deadline added by a firing one at its own time', async () => {
    const { time, fired, add, armed } = countingDeadlines()
    add('a', 10, () => void add('b', 5))
    add('c', 30)
    await time.advanceBy(100)
    expect(fired).toEqual(['a@10', 'b@15', 'c@30'])
    expect(armed()).toBe(3) // for a, for b (armed as a fired), for c
  })

  it('re-arms after firing for the earliest deadline left, not the last added', async () => {
    const { time, fired, add } = countingDeadlines()
    add('a', 10)
    add('b', 20)
    add('c', 30)
    await time.advanceBy(20)
    expect(fired).toEqual(['a@10', 'b@20'])
    await time.advanceBy(10)
    expect(fired).toEqual(['a@10', 'b@20', 'c@30'])
  })

  it('lets its timer go each time the last deadline is cancelled, not only the first time', async () => {
    const { add, live } = countingDeadlines()
    for (let round = 0; round < 2; round++) {
      add('a', 10).unsubscribe()
      expect(live()).toBe(1)
      await Promise.resolve()
      expect(live()).toBe(0)
    }
  })

  it('lets its timer go when only an infinite deadline is left', async () => {
    const { add, live } = countingDeadlines()
    add('never', Infinity)
    add('a', 10).unsubscribe()
    await Promise.resolve()
    expect(live()).toBe(0)
  })

  it('never fires a deadline cancelled by another timer of the same moment, run just before its own', async () => {
    const { time, fired, add } = countingDeadlines()
    let a: { unsubscribe(): void } | undefined
    time.scheduler.schedule(() => a?.unsubscribe(), 10) // runs first: scheduled first, for the same moment
    a = add('a', 10)
    await time.advanceBy(20)
    expect(fired).toEqual([])
  })
})
