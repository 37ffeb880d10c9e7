import type { AnyActorRef } from 'xstate'
import type { BatcherMetrics } from '../metrics.ts'
import type { SupervisorMetrics } from '../supervisor/supervisorMetrics.ts'
import type { WorkerMetrics } from '../port.ts'

/** What the exporters instrument: a batcher or a supervisor (anything with `metrics()` and its actor). */
export interface InstrumentTarget {
  metrics(): BatcherMetrics | SupervisorMetrics
  readonly actor: AnyActorRef
}

/** One labelled series: the target itself (a batcher) or one worker of a supervisor. */
export interface Series {
  /** The worker's slot id (`worker-0`, …), or undefined for a batcher. */
  readonly worker: string | undefined
  readonly metrics: WorkerMetrics
}

/** A reading of a target: its series, plus the supervisor's own counters when it is one. */
export interface Reading {
  readonly series: readonly Series[]
  readonly supervisor: { readonly workerCount: number; readonly restarts: number } | undefined
}

/** Reads a target once: a batcher is one series; a supervisor is one series per worker in its routing set. */
export function readTarget(target: InstrumentTarget): Reading {
  const metrics = target.metrics()
  if (!('workers' in metrics)) return { series: [{ worker: undefined, metrics }], supervisor: undefined }
  return {
    series: metrics.workers.map((worker) => ({ worker: worker.id, metrics: worker })),
    supervisor: { workerCount: metrics.workerCount, restarts: metrics.restarts },
  }
}

/** The label that tells targets apart: the given name, else the actor's systemId, else `batcher` / `supervisor`. */
export function targetName(target: InstrumentTarget, name: string | undefined): string {
  if (name !== undefined) return name
  const { systemId } = target.actor as { systemId?: string }
  if (systemId !== undefined) return systemId
  return 'workers' in target.metrics() ? 'supervisor' : 'batcher'
}

/** Checks that `target` can be instrumented, naming what is wrong otherwise. */
export function isInstrumentTarget(target: unknown): target is InstrumentTarget {
  if (typeof target !== 'object' || target === null) return false
  const candidate = target as Partial<InstrumentTarget>
  return typeof candidate.metrics === 'function' && typeof candidate.actor?.getSnapshot === 'function'
}
