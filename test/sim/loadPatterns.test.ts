import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import {
  burst,
  constant,
  createLoadPattern,
  gradual,
  loadPatternNames,
  sinewave,
  spikes,
  step,
  type LoadPattern,
} from '../../src/sim/index.ts'

/** The pattern sampled every `everyMs` from 0 up to (not including) `untilMs`. */
const sample = (pattern: LoadPattern, untilMs: number, everyMs: number): number[] =>
  Array.from({ length: Math.ceil(untilMs / everyMs) }, (_, i) => pattern(i * everyMs))

describe('constant', () => {
  it('holds the same level at every moment (0.5 by default)', () => {
    expect(new Set(sample(constant(), 600_000, 997))).toEqual(new Set([0.5]))
    expect(constant({ level: 0.8 })(123_456)).toBe(0.8)
  })
})

describe('sinewave', () => {
  const wave = sinewave({ mean: 0.5, amplitude: 0.3, periodMs: 40_000 })

  it('repeats every periodMs', () => {
    for (let t = 0; t < 40_000; t += 1234) {
      expect(wave(t + 40_000)).toBeCloseTo(wave(t), 9)
      expect(wave(t + 5 * 40_000)).toBeCloseTo(wave(t), 9)
    }
  })

  it('swings by amplitude around mean: peak at a quarter period, trough at three quarters', () => {
    expect(wave(0)).toBeCloseTo(0.5, 9)
    expect(wave(10_000)).toBeCloseTo(0.8, 9)
    expect(wave(20_000)).toBeCloseTo(0.5, 9)
    expect(wave(30_000)).toBeCloseTo(0.2, 9)
    const values = sample(wave, 120_000, 100)
    expect(Math.max(...values)).toBeCloseTo(0.8, 6)
    expect(Math.min(...values)).toBeCloseTo(0.2, 6)
  })

  it('defaults to the Go simulator’s swing: 0.5 ± 0.4 over about a minute', () => {
    const values = sample(sinewave(), 60_000, 50)
    expect(Math.max(...values)).toBeCloseTo(0.9, 6)
    expect(Math.min(...values)).toBeCloseTo(0.1, 6)
    expect(sinewave()(60_000)).toBeCloseTo(0.5, 9)
  })

  it('clamps to 0..1 when the swing is wider', () => {
    const values = sample(sinewave({ mean: 0.5, amplitude: 2 }), 60_000, 100)
    expect(Math.max(...values)).toBe(1)
    expect(Math.min(...values)).toBe(0)
  })
})

describe('spikes', () => {
  const pattern = spikes({ seed: 7 })
  const slots = sample(pattern, 2_000_000, 1000)

  it('is quiet most of the time, between 0.2 and 0.5', () => {
    const quiet = slots.filter((v) => v < 0.9)
    expect(quiet.length / slots.length).toBeGreaterThan(0.86)
    expect(quiet.every((v) => v >= 0.2 && v <= 0.5)).toBe(true)
  })

  it('spikes rarely (about 10 % of slots) and high (0.9 .. 1)', () => {
    const high = slots.filter((v) => v >= 0.9)
    expect(high.length / slots.length).toBeGreaterThan(0.08)
    expect(high.length / slots.length).toBeLessThan(0.12)
    expect(high.every((v) => v <= 1)).toBe(true)
    // Nothing lands between quiet and spike levels: the spikes stand out.
    expect(slots.some((v) => v > 0.5 && v < 0.9)).toBe(false)
  })

  it('holds one level within a slot', () => {
    for (let slot = 0; slot < 50; slot++) {
      const start = pattern(slot * 1000)
      expect(pattern(slot * 1000 + 1)).toBe(start)
      expect(pattern(slot * 1000 + 999.9)).toBe(start)
    }
  })

  it('follows slotMs and probability', () => {
    const always = spikes({ seed: 7, probability: 1, slotMs: 250 })
    expect(sample(always, 10_000, 50).every((v) => v >= 0.9)).toBe(true)
    const never = spikes({ seed: 7, probability: 0 })
    expect(sample(never, 100_000, 500).every((v) => v <= 0.5)).toBe(true)
  })

  it('gives the same level for a time whatever order it is asked in', () => {
    const times = [5_000, 1_000, 99_000, 3_000, 1_000]
    const fresh = spikes({ seed: 7 })
    expect(times.map((t) => fresh(t))).toEqual(times.map((t) => pattern(t)))
  })

  it('repeats exactly for a seed and differs for another', () => {
    expect(sample(spikes({ seed: 7 }), 300_000, 1000)).toEqual(sample(pattern, 300_000, 1000))
    expect(sample(spikes({ seed: 8 }), 300_000, 1000)).not.toEqual(sample(pattern, 300_000, 1000))
  })
})

describe('gradual', () => {
  it('rises steadily from 0.2 to 0.95 over durationMs, then holds', () => {
    const ramp = gradual({ durationMs: 100_000 })
    const values = sample(ramp, 200_000, 500)
    expect(values[0]).toBe(0.2)
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!)
    expect(ramp(50_000)).toBeCloseTo(0.575, 9)
    expect(ramp(100_000)).toBeCloseTo(0.95, 9)
    expect(ramp(10_000_000)).toBeCloseTo(0.95, 9)
  })

  it('may fall when toLevel is below fromLevel', () => {
    const fall = gradual({ fromLevel: 0.9, toLevel: 0.1, durationMs: 1000 })
    expect(fall(0)).toBe(0.9)
    expect(fall(500)).toBeCloseTo(0.5, 9)
    expect(fall(2000)).toBeCloseTo(0.1, 9)
  })
})

describe('step', () => {
  it('jumps once, from fromLevel to toLevel at atMs', () => {
    const jump = step({ fromLevel: 0.1, toLevel: 0.8, atMs: 5000 })
    expect(new Set(sample(jump, 5000, 100))).toEqual(new Set([0.1]))
    expect(jump(4999.999)).toBe(0.1)
    expect(jump(5000)).toBe(0.8)
    expect(new Set(sample((t) => jump(5000 + t), 1_000_000, 1000))).toEqual(new Set([0.8]))
  })

  it('defaults to 0.2, then 0.9 from 30 s on', () => {
    expect(step()(29_999)).toBe(0.2)
    expect(step()(30_000)).toBe(0.9)
  })
})

describe('burst', () => {
  const everyMs = 20_000
  const burstMs = 4_000
  const pattern = burst({ seed: 3, everyMs, burstMs })

  /** The [start, end) runs at burstLevel in window `w`, sampled every 10 ms. */
  const runsIn = (p: LoadPattern, w: number): Array<[number, number]> => {
    const runs: Array<[number, number]> = []
    let start: number | undefined
    for (let t = w * everyMs; t <= (w + 1) * everyMs; t += 10) {
      const high = t < (w + 1) * everyMs && p(t) === 0.9
      if (high && start === undefined) start = t
      if (!high && start !== undefined) {
        runs.push([start, t])
        start = undefined
      }
    }
    return runs
  }

  it('holds exactly one burst of burstMs at burstLevel in each window, base level between', () => {
    for (let w = 0; w < 30; w++) {
      const runs = runsIn(pattern, w)
      expect(runs).toHaveLength(1)
      const [start, end] = runs[0]!
      expect(end - start).toBeGreaterThanOrEqual(burstMs - 10)
      expect(end - start).toBeLessThanOrEqual(burstMs + 10)
    }
    expect(new Set(sample(pattern, 600_000, 10))).toEqual(new Set([0.2, 0.9]))
  })

  it('places bursts at varying offsets, so they are not clockwork', () => {
    const offsets = Array.from({ length: 30 }, (_, w) => runsIn(pattern, w)[0]![0] - w * everyMs)
    expect(new Set(offsets).size).toBeGreaterThan(20)
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(8000)
  })

  it('spends burstMs / everyMs of the time in bursts', () => {
    const values = sample(pattern, 2_000_000, 10)
    expect(values.filter((v) => v === 0.9).length / values.length).toBeCloseTo(0.2, 2)
  })

  it('repeats exactly for a seed and differs for another', () => {
    expect(sample(burst({ seed: 3, everyMs, burstMs }), 400_000, 100)).toEqual(sample(pattern, 400_000, 100))
    expect(sample(burst({ seed: 4, everyMs, burstMs }), 400_000, 100)).not.toEqual(sample(pattern, 400_000, 100))
  })

  it('is burstLevel throughout when burstMs equals everyMs', () => {
    expect(new Set(sample(burst({ everyMs: 1000, burstMs: 1000 }), 50_000, 7))).toEqual(new Set([0.9]))
  })
})

describe('every pattern', () => {
  it('stays within 0..1 for any time, counting negative, NaN and infinite times as 0', () => {
    for (const name of loadPatternNames) {
      const pattern = createLoadPattern(name, { seed: 5 })
      const values = sample(pattern, 3_600_000, 337)
      expect(values.every((v) => v >= 0 && v <= 1), name).toBe(true)
      for (const odd of [-5000, Number.NaN, Infinity, -Infinity]) expect(pattern(odd), name).toBe(pattern(0))
    }
  })

  it('is created by name, and an unknown name is refused naming the accepted ones', () => {
    expect(loadPatternNames).toEqual(['constant', 'sinewave', 'spikes', 'gradual', 'step', 'burst'])
    expect(() => createLoadPattern('square')).toThrow(ConfigError)
    expect(() => createLoadPattern('square')).toThrow(
      'Expected `pattern` to be one of constant, sinewave, spikes, gradual, step, burst, got `"square"`',
    )
  })

  it('passes the seed to the random patterns', () => {
    expect(sample(createLoadPattern('spikes', { seed: 9 }), 100_000, 1000)).toEqual(sample(spikes({ seed: 9 }), 100_000, 1000))
    expect(sample(createLoadPattern('burst', { seed: 9 }), 100_000, 100)).toEqual(sample(burst({ seed: 9 }), 100_000, 100))
  })

  it('refuses bad options with a ConfigError naming the field and the rule', () => {
    const cases: Array<[() => unknown, string, string]> = [
      [() => constant({ level: 1.5 }), 'level', 'a number in 0..1'],
      [() => sinewave({ periodMs: 0 }), 'periodMs', 'a number > 0'],
      [() => sinewave({ amplitude: -1 }), 'amplitude', 'a number >= 0'],
      [() => spikes({ probability: Number.NaN }), 'probability', 'a number in 0..1'],
      [() => spikes({ seed: Infinity }), 'seed', 'a finite number'],
      [() => gradual({ durationMs: -1 }), 'durationMs', 'a number > 0'],
      [() => step({ atMs: -1 }), 'atMs', 'a number >= 0'],
      [() => burst({ everyMs: 1000, burstMs: 2000 }), 'burstMs', 'a number > 0 and <= 1000'],
    ]
    for (const [create, field, rule] of cases) {
      try {
        create()
        expect.unreachable(`${field} was accepted`)
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError)
        expect((error as ConfigError).field).toBe(field)
        expect((error as ConfigError).rule).toBe(rule)
      }
    }
  })
})
