/**
 * Who the yardstick measures: the default controller (what a batcher with a size range gets
 * when it names none), every named controller, natural batching, and fixed (size, concurrency)
 * pairs on a grid.
 */

import type { Controller } from '../../controllers/controller.ts'
import { aimd } from '../../controllers/aimd.ts'
import { gradient } from '../../controllers/gradient.ts'
import { latencyTarget } from '../../controllers/latencyTarget.ts'
import { loadScore } from '../../controllers/loadScore.ts'
import type { SimulationOptions } from '../simulationOptions.ts'

/** A size and concurrency range the yardstick evaluates within. */
export interface EvaluationRange {
  readonly name: string
  readonly size: { readonly initial: number; readonly min: number; readonly max: number }
  readonly concurrency: { readonly initial: number; readonly min: number; readonly max: number }
  /** The fixed sizes of the grid (the concurrencies are {@link gridConcurrencies} within the range). */
  readonly gridSizes: readonly number[]
}

/** The two ranges of issue 12: 5..100 and 10..1000, concurrency 1..8 from 4 (the demo's four producers). */
export const evaluationRanges: readonly EvaluationRange[] = [
  { name: '5..100', size: { initial: 20, min: 5, max: 100 }, concurrency: { initial: 4, min: 1, max: 8 }, gridSizes: [5, 10, 20, 50, 100] },
  { name: '10..1000', size: { initial: 100, min: 10, max: 1000 }, concurrency: { initial: 4, min: 1, max: 8 }, gridSizes: [10, 30, 100, 300, 1000] },
]

/** Concurrencies of the fixed grid, within the range's bounds. */
export function gridConcurrencies(range: EvaluationRange): number[] {
  return [1, 2, 4, 8, 16, 32].filter((k) => k >= range.concurrency.min && k <= range.concurrency.max)
}

/** One contender: a label and the simulation options that make it. */
export interface Contender {
  readonly label: string
  /** 'default' | 'controller' | 'natural' | 'fixed' */
  readonly kind: 'default' | 'controller' | 'natural' | 'fixed'
  readonly options: Pick<SimulationOptions, 'size' | 'concurrency' | 'controller' | 'maxWaitMs'>
}

/** The named controllers beside the default, each with its own defaults (latencyTarget aims at 250 ms, the CLI's default). */
export const namedControllers: readonly { readonly label: string; readonly make: () => Controller<any> }[] = [
  { label: 'loadScore', make: () => loadScore() },
  { label: 'aimd', make: () => aimd() },
  { label: 'gradient', make: () => gradient() },
  { label: 'latencyTarget', make: () => latencyTarget({ targetMs: 250 }) },
]

/** The adaptive contenders of `range`: the default (no controller named), then each named one. */
export function adaptiveContenders(range: EvaluationRange, which: readonly string[] = ['default', ...namedControllers.map((c) => c.label)]): Contender[] {
  const adaptive = { size: range.size, concurrency: range.concurrency }
  const all: Contender[] = [
    { label: 'default', kind: 'default', options: adaptive },
    ...namedControllers.map((c): Contender => ({ label: c.label, kind: 'controller', options: { ...adaptive, controller: c.make() } })),
  ]
  return all.filter((c) => which.includes(c.label))
}

/**
 * Natural batching: no timer to speak of (1 ms), the size capped at the range's largest, every
 * flush slot of the range's largest concurrency: whatever waits when a slot frees goes.
 */
export function naturalContender(range: EvaluationRange): Contender {
  return { label: 'natural', kind: 'natural', options: { size: range.size.max, concurrency: range.concurrency.max, maxWaitMs: 1 } }
}

/** Every fixed (size, concurrency) pair of the grid. */
export function fixedContenders(range: EvaluationRange): Contender[] {
  return range.gridSizes.flatMap((size) =>
    gridConcurrencies(range).map((concurrency): Contender => ({ label: `${size}×${concurrency}`, kind: 'fixed', options: { size, concurrency } })),
  )
}
