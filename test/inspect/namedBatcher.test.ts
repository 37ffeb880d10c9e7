import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { ConfigError, createBatcher } from '../../src/index.ts'

describe('a named batcher', () => {
  it('is known to the system and to inspectors by its name', async () => {
    const seen: InspectionEvent[] = []
    const batcher = createBatcher<number>({ flush: () => {}, name: 'orders', inspect: (event) => void seen.push(event) })
    expect(batcher.actor.id).toBe('orders')
    expect(batcher.actor.system.get('orders')).toBe(batcher.actor)
    const registered = seen.find((event) => event.type === '@xstate.actor')
    expect((registered?.actorRef as { id?: string } | undefined)?.id).toBe('orders')
    await batcher.stop()
  })

  it('refuses a name that is not a non-empty string', () => {
    expect(() => createBatcher({ flush: () => {}, name: '' })).toThrow(ConfigError)
    expect(() => createBatcher({ flush: () => {}, name: 42 as never })).toThrow(/Expected `name` to be a non-empty string, got `42`/)
  })

  it('leaves an unnamed batcher to XState’s ids', async () => {
    const batcher = createBatcher<number>({ flush: () => {} })
    expect(batcher.actor.id).toMatch(/^x:\d+$/)
    await batcher.stop()
  })
})
