/**
 * The controllers: policies that turn load feedback into the next batch size (and,
 * optionally, concurrency). Each is pure; implement {@link Controller} to bring your own.
 */
export type { Bounds, ControlTarget, Controller, ControllerDecision, ControllerInput, DecisionReason, ErrorKind, FeedbackSample } from './controller.ts'
export { autoTune } from './autoTune.ts'
export type { Setting } from './setting.ts'
export type { AutoTuneOptions, AutoTuneState } from './autoTune.ts'
export { clampTo } from './controller.ts'
export { fixed } from './fixed.ts'
export type { FixedOptions } from './fixed.ts'
export { loadScore } from './loadScore.ts'
export type { LoadScoreOptions } from './loadScore.ts'
export { aimd } from './aimd.ts'
export type { AimdOptions, AimdState } from './aimd.ts'
export { gradient } from './gradient.ts'
export type { GradientOptions, GradientState } from './gradient.ts'
export { latencyTarget } from './latencyTarget.ts'
export type { LatencyTargetOptions } from './latencyTarget.ts'
