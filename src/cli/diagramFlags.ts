/** The flags of `loadbatch diagram`. */

import type { FlagSpec } from './flags.ts'

/** `--out` and `--reports`. */
export const diagramFlags: readonly FlagSpec[] = [
  { name: 'out', kind: { type: 'directory' }, defaultText: 'visualizations', help: 'directory for the .mmd and .svg files' },
  { name: 'reports', kind: { type: 'boolean' }, help: 'also write one sample simulation report per load pattern (virtual time, adaptive vs fixed sizes)' },
]
