/**
 * Background load patterns: how busy the backend is with other people's work, as a pure
 * function of time. The Go simulator's four (`constant`, `sinewave`, `spikes`, `gradual`) plus
 * `step` and `burst`. Random patterns draw from a seeded counter-based hash, so a pattern gives
 * the same level for the same time whatever order it is asked in, and a run repeats exactly.
 */

import { ConfigError } from '../errors.ts'
import { checkNumber } from '../checkOption.ts'
import { hashToUnit, toSeed } from './random.ts'

/**
 * Background load at `timeMs` (ms since the start of the run): 0 (idle) .. 1 (saturated by
 * others). Every pattern here returns a value in 0..1 for any input; negative, NaN and
 * infinite times count as time 0.
 */
export type LoadPattern = (timeMs: number) => number

/** The names of the built-in patterns, as the CLI's `--pattern` accepts them. */
export const loadPatternNames = ['constant', 'sinewave', 'spikes', 'gradual', 'step', 'burst'] as const

/** One of {@link loadPatternNames}. */
export type LoadPatternName = (typeof loadPatternNames)[number]

/** Options of {@link constant}. */
export interface ConstantOptions {
  /** The load, 0..1 (default 0.5, the Go simulator's). */
  readonly level?: number
}

/** The same load at every moment. */
export function constant(options: ConstantOptions = {}): LoadPattern {
  const level = checkNumber('level', options.level, 0.5, { min: 0, max: 1 })
  return () => level
}

/** Options of {@link sinewave}. */
export interface SinewaveOptions {
  /** Load around which it swings, 0..1 (default 0.5). */
  readonly mean?: number
  /** Half the swing, >= 0 (default 0.4: 0.1 .. 0.9); the result is clamped to 0..1. */
  readonly amplitude?: number
  /** Length of one cycle in ms, > 0 (default 60 000, close to the Go simulator's 62.8 s). */
  readonly periodMs?: number
}

/** `mean + amplitude × sin(2π t / periodMs)`, clamped to 0..1: starts at `mean`, rising. */
export function sinewave(options: SinewaveOptions = {}): LoadPattern {
  const mean = checkNumber('mean', options.mean, 0.5, { min: 0, max: 1 })
  const amplitude = checkNumber('amplitude', options.amplitude, 0.4, { min: 0 })
  const periodMs = checkNumber('periodMs', options.periodMs, 60_000, { min: 0, above: true })
  return (timeMs) => clampLoad(mean + amplitude * Math.sin((2 * Math.PI * timeOf(timeMs)) / periodMs))
}

/** Options of {@link spikes}. */
export interface SpikesOptions {
  /** Seed of the randomness (default 1). */
  readonly seed?: number
  /** Time is cut into slots of this length, each quiet or a spike, in ms, > 0 (default 1000). */
  readonly slotMs?: number
  /** Chance that a slot is a spike, 0..1 (default 0.1, the Go simulator's). */
  readonly probability?: number
  /** Quiet load: uniform in `baseLevel ± baseJitter` (defaults 0.35 ± 0.15: 0.2 .. 0.5). */
  readonly baseLevel?: number
  /** See `baseLevel`, >= 0. */
  readonly baseJitter?: number
  /** Spike load: uniform in `spikeLevel ± spikeJitter` (defaults 0.95 ± 0.05: 0.9 .. 1). */
  readonly spikeLevel?: number
  /** See `spikeLevel`, >= 0. */
  readonly spikeJitter?: number
}

/**
 * Mostly quiet, noisy load with rare, short, high spikes (the Go simulator's `spikes`, in time
 * rather than per batch): each `slotMs` slot is independently a spike with `probability`;
 * its level is drawn uniformly around `spikeLevel` or `baseLevel`. Constant within a slot.
 */
export function spikes(options: SpikesOptions = {}): LoadPattern {
  const seed = toSeed(options.seed ?? 1, 'seed')
  const slotMs = checkNumber('slotMs', options.slotMs, 1000, { min: 0, above: true })
  const probability = checkNumber('probability', options.probability, 0.1, { min: 0, max: 1 })
  const baseLevel = checkNumber('baseLevel', options.baseLevel, 0.35, { min: 0, max: 1 })
  const baseJitter = checkNumber('baseJitter', options.baseJitter, 0.15, { min: 0 })
  const spikeLevel = checkNumber('spikeLevel', options.spikeLevel, 0.95, { min: 0, max: 1 })
  const spikeJitter = checkNumber('spikeJitter', options.spikeJitter, 0.05, { min: 0 })
  return (timeMs) => {
    const slot = Math.floor(timeOf(timeMs) / slotMs)
    const isSpike = hashToUnit(seed, slot, 0) < probability
    const [level, jitter] = isSpike ? [spikeLevel, spikeJitter] : [baseLevel, baseJitter]
    return clampLoad(level + jitter * (2 * hashToUnit(seed, slot, 1) - 1))
  }
}

/** Options of {@link gradual}. */
export interface GradualOptions {
  /** Load at time 0, 0..1 (default 0.2, the Go simulator's start). */
  readonly fromLevel?: number
  /** Load reached at `durationMs` and held after, 0..1 (default 0.95, the Go simulator's cap). */
  readonly toLevel?: number
  /** Length of the ramp in ms, > 0 (default 60 000). */
  readonly durationMs?: number
}

/** A straight ramp from `fromLevel` to `toLevel` over `durationMs`, then held. May fall too. */
export function gradual(options: GradualOptions = {}): LoadPattern {
  const fromLevel = checkNumber('fromLevel', options.fromLevel, 0.2, { min: 0, max: 1 })
  const toLevel = checkNumber('toLevel', options.toLevel, 0.95, { min: 0, max: 1 })
  const durationMs = checkNumber('durationMs', options.durationMs, 60_000, { min: 0, above: true })
  return (timeMs) => clampLoad(fromLevel + (toLevel - fromLevel) * Math.min(1, timeOf(timeMs) / durationMs))
}

/** Options of {@link step}. */
export interface StepOptions {
  /** Load before `atMs`, 0..1 (default 0.2). */
  readonly fromLevel?: number
  /** Load from `atMs` on, 0..1 (default 0.9). */
  readonly toLevel?: number
  /** When the load jumps, in ms, >= 0 (default 30 000). */
  readonly atMs?: number
}

/** `fromLevel` until `atMs`, then `toLevel` for good (at exactly `atMs` it is `toLevel`). */
export function step(options: StepOptions = {}): LoadPattern {
  const fromLevel = checkNumber('fromLevel', options.fromLevel, 0.2, { min: 0, max: 1 })
  const toLevel = checkNumber('toLevel', options.toLevel, 0.9, { min: 0, max: 1 })
  const atMs = checkNumber('atMs', options.atMs, 30_000, { min: 0 })
  return (timeMs) => (timeOf(timeMs) < atMs ? fromLevel : toLevel)
}

/** Options of {@link burst}. */
export interface BurstOptions {
  /** Seed of the randomness (default 1). */
  readonly seed?: number
  /** Load between bursts, 0..1 (default 0.2). */
  readonly baseLevel?: number
  /** Load during a burst, 0..1 (default 0.9). */
  readonly burstLevel?: number
  /** Time is cut into windows of this length, each holding one burst, in ms, > 0 (default 20 000). */
  readonly everyMs?: number
  /** Length of a burst in ms, > 0 and <= `everyMs` (default 4000). */
  readonly burstMs?: number
}

/**
 * Sustained bursts of high load: each `everyMs` window holds exactly one burst of `burstMs`
 * at a seeded random offset, so bursts recur at a steady average rate but not like
 * clockwork, and never overlap. Unlike `spikes`, a burst lasts long enough for a controller
 * to settle inside it. With `burstMs === everyMs` it is `burstLevel` throughout.
 */
export function burst(options: BurstOptions = {}): LoadPattern {
  const seed = toSeed(options.seed ?? 1, 'seed')
  const baseLevel = checkNumber('baseLevel', options.baseLevel, 0.2, { min: 0, max: 1 })
  const burstLevel = checkNumber('burstLevel', options.burstLevel, 0.9, { min: 0, max: 1 })
  const everyMs = checkNumber('everyMs', options.everyMs, 20_000, { min: 0, above: true })
  const burstMs = checkNumber('burstMs', options.burstMs, Math.min(4000, everyMs), { min: 0, max: everyMs, above: true })
  return (timeMs) => {
    const t = timeOf(timeMs)
    const window = Math.floor(t / everyMs)
    const start = window * everyMs + hashToUnit(seed, window) * (everyMs - burstMs)
    return t >= start && t < start + burstMs ? burstLevel : baseLevel
  }
}

/** Options of {@link createLoadPattern}. */
export interface LoadPatternOptions {
  /** Seed of the random patterns (`spikes`, `burst`); ignored by the others (default 1). */
  readonly seed?: number
}

/**
 * The built-in pattern called `name` with its defaults (and `seed`), as the CLI's
 * `--pattern` picks it. Throws {@link ConfigError} naming `pattern` and the accepted names
 * for any other name.
 */
export function createLoadPattern(name: string, options: LoadPatternOptions = {}): LoadPattern {
  const seed = options.seed ?? 1
  switch (name as LoadPatternName) {
    case 'constant': return constant()
    case 'sinewave': return sinewave()
    case 'spikes': return spikes({ seed })
    case 'gradual': return gradual()
    case 'step': return step()
    case 'burst': return burst({ seed })
    default: throw new ConfigError('pattern', `one of ${loadPatternNames.join(', ')}`, name)
  }
}

/** Negative, NaN and infinite times count as 0. */
function timeOf(timeMs: number): number {
  return Number.isFinite(timeMs) && timeMs > 0 ? timeMs : 0
}

function clampLoad(level: number): number {
  return Math.min(1, Math.max(0, level))
}
