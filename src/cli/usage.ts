/** The CLI's usage text, built from the flag tables so it never disagrees with the parser. */

import { diagramFlags } from './diagramFlags.ts'
import { evaluateFlags } from './evaluateCommand.ts'
import { describeFlags } from './flags.ts'
import { simulateFlags } from './simulateFlags.ts'

/** The full usage: commands, their flags with defaults, and examples. */
export function usage(): string {
  return [
    'Usage: loadbatch <command> [flags]',
    '',
    'Commands:',
    '  simulate   run the adaptive batcher against a simulated backend; print a summary, write an SVG and HTML report',
    '  diagram    write Mermaid and SVG diagrams of the statecharts in machines/',
    '  evaluate   the adaptive yardstick: every controller vs the best fixed choice, the oracle and natural batching',
    '',
    'loadbatch simulate flags:',
    ...describeFlags(simulateFlags),
    '',
    'loadbatch diagram flags:',
    ...describeFlags(diagramFlags),
    '',
    'loadbatch evaluate flags:',
    ...describeFlags(evaluateFlags),
    '',
    'Examples:',
    '  loadbatch simulate                              about a minute, live, spikes load',
    '  loadbatch simulate --compare --virtual          adaptive vs fixed 5, 20, 100 in a second',
    '  loadbatch simulate --pattern sinewave --controller loadScore --out report',
    '  loadbatch simulate --inspect --duration 60s     watch a batcher and a supervisor in the Stately inspector',
    '  loadbatch diagram --reports',
    '',
  ].join('\n')
}
