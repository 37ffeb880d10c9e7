import { describe, expect, it } from 'vitest'
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
