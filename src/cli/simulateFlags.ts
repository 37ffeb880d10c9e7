/**
 * The flags of `loadbatch simulate`: the Go demo's (same names and defaults, except `--count`,
 * see below) plus this project's own.
 */

import { loadPatternNames } from '../sim/loadPatterns.ts'
import { controllerNames } from './controllerByName.ts'
import type { FlagSpec } from './flags.ts'

/**
 * `--count` defaults to 60000, not the Go demo's 1000: against the simulated backend 1000
 * items take under a second, too short for a controller that adjusts every 3 s to show
 * anything. `--duration` (30 s) caps every run's offering, so the default demo (a live run,
 * its drain, then the virtual comparison) finishes in well under a minute.
 */
export const simulateFlags: readonly FlagSpec[] = [
  { name: 'count', kind: { type: 'integer', min: 1 }, defaultText: '60000', help: 'items to process in all' },
  { name: 'initial-batch', kind: { type: 'integer', min: 1 }, defaultText: '20', help: 'initial batch size' },
  { name: 'min-batch', kind: { type: 'integer', min: 1 }, defaultText: '5', help: 'smallest batch size' },
  { name: 'max-batch', kind: { type: 'integer', min: 1 }, defaultText: '100', help: 'largest batch size' },
  { name: 'timeout', kind: { type: 'duration' }, defaultText: '2s', help: 'longest an item waits for its batch (maxWaitMs)' },
  { name: 'workers', kind: { type: 'integer', min: 1 }, defaultText: '4', help: 'producers, and batches written at once' },
  { name: 'pattern', kind: { type: 'choice', choices: loadPatternNames }, defaultText: 'spikes', help: 'background load on the backend' },
  { name: 'adjust-interval', kind: { type: 'duration' }, defaultText: '3s', help: 'how often the controller adjusts (all but autoTune)' },
  { name: 'adjust-factor', kind: { type: 'number', min: 0, max: 1, above: true }, defaultText: '0.3', help: "loadScore's step, a share of the size" },
  { name: 'controller', kind: { type: 'choice', choices: controllerNames }, defaultText: 'autoTune', help: "the adaptive controller (autoTune by default, the library's default for a size range; it adjusts per epoch of flushes, not every --adjust-interval)" },
  { name: 'target-latency', kind: { type: 'duration' }, defaultText: '250ms', help: "latencyTarget's goal" },
  { name: 'rate', kind: { type: 'number', min: 0, above: true }, help: 'items offered per second (default: as fast as the batcher accepts)' },
  { name: 'duration', kind: { type: 'duration' }, defaultText: '30s', help: 'stop offering items after this long (then the batcher drains)' },
  { name: 'seed', kind: { type: 'integer', min: 0 }, defaultText: '1', help: 'seed of the load, the errors and the jitter' },
  { name: 'virtual', kind: { type: 'boolean' }, help: 'run in virtual time: seconds of load in milliseconds, exactly repeatable' },
  { name: 'compare', kind: { type: 'boolean' }, help: 'run fixed sizes 5, 20 and 100 beside the adaptive run' },
  { name: 'out', kind: { type: 'directory' }, defaultText: 'loadbatch-report', help: 'directory for the SVG and HTML report' },
  { name: 'inspect', kind: { type: 'boolean' }, help: "instead: a batcher and a 3-worker supervisor live in the Stately inspector (start @statelyai/inspect/server's createInspectorServer() first)" },
  { name: 'inspect-url', kind: { type: 'string' }, defaultText: 'ws://localhost:8080', help: "the inspector's WebSocket, for --inspect" },
]
