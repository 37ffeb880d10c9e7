/**
 * A small flag parser for the CLI: `--name value` and `--name=value`, booleans as bare
 * `--name`. Each flag is declared once with its kind, default and accepted values, so the
 * parsing, the error messages and the usage text all come from the same table.
 */

import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { durationForms, formatDuration, parseDuration } from './duration.ts'
import { UsageError } from './usageError.ts'

/** How a flag's value is read. */
export type FlagKind =
  | { readonly type: 'integer'; readonly min: number }
  | { readonly type: 'number'; readonly min: number; readonly max?: number; readonly above?: boolean }
  /** Milliseconds, within [minMs, maxMs] (defaults 1 ms and 24 h). */
  | { readonly type: 'duration'; readonly minMs?: number; readonly maxMs?: number }
  /** A directory to write into: checked before anything runs (it, or its nearest existing parent, must be a writable directory). */
  | { readonly type: 'directory' }
  | { readonly type: 'choice'; readonly choices: readonly string[] }
  | { readonly type: 'string' }
  | { readonly type: 'boolean' }

/** One flag of a command. */
export interface FlagSpec {
  /** Its name without dashes, e.g. `min-batch`. */
  readonly name: string
  /** How its value is read and checked. */
  readonly kind: FlagKind
  /** The default, as it would be typed (shown in the usage), or undefined when there is none. */
  readonly defaultText?: string
  /** One line for the usage. */
  readonly help: string
}

/** Parsed values by flag name: numbers for integer/number/duration (ms), strings, booleans. */
export type FlagValues = Record<string, number | string | boolean | undefined>

/** What a flag of this kind accepts, in words, for the one-line error. */
export function acceptedValues(kind: FlagKind): string {
  switch (kind.type) {
    case 'integer': return `an integer >= ${kind.min}`
    case 'number': return kind.max === undefined ? `a number ${kind.above ? '>' : '>='} ${kind.min}` : `a number ${kind.above ? '>' : '>='} ${kind.min} and <= ${kind.max}`
    case 'duration': return `${durationForms} (from ${formatDuration(kind.minMs ?? DEFAULT_MIN_MS)} to ${formatDuration(kind.maxMs ?? DEFAULT_MAX_MS)})`
    case 'directory': return 'a directory that can be written (or created)'
    case 'choice': return `one of ${kind.choices.join(', ')}`
    case 'string': return 'a value'
    case 'boolean': return 'no value'
  }
}

/** The shortest duration a flag accepts unless it says otherwise: a batcher's timers count whole ms. */
const DEFAULT_MIN_MS = 1
/** The longest: a day is past any simulation (and any sensible wait) the CLI runs. */
const DEFAULT_MAX_MS = 86_400_000

/**
 * Parses `args` against `specs`. Defaults are filled in from `defaultText`; `--help`/`-h`
 * sets `help`. Throws {@link UsageError} naming the flag and what it accepts for an unknown
 * flag, a missing or bad value, or a stray argument. `cwd` resolves directory flags, which are
 * checked here, before the command runs.
 */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[], cwd = process.cwd()): FlagValues {
  const byName = new Map(specs.map((spec) => [spec.name, spec]))
  const values: FlagValues = {}
  for (const spec of specs) if (spec.defaultText !== undefined) values[spec.name] = readValue(spec, spec.defaultText, cwd)
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') {
      values['help'] = true
      continue
    }
    if (!arg.startsWith('--')) throw new UsageError(arg, `unexpected argument ${arg}: flags start with -- (accepted: ${specs.map((s) => `--${s.name}`).join(', ')})`)
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    const spec = byName.get(name)
    if (!spec) throw new UsageError(`--${name}`, `unknown flag --${name}; accepted flags: ${specs.map((s) => `--${s.name}`).join(', ')}`)
    if (spec.kind.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name}`, `--${name} takes no value, got ${JSON.stringify(arg.slice(eq + 1))}`)
      values[name] = true
      continue
    }
    let text: string | undefined
    if (eq >= 0) text = arg.slice(eq + 1)
    else {
      text = args[i + 1]
      if (text === undefined || (text.startsWith('--') && text.length > 2)) throw new UsageError(`--${name}`, `--${name} needs a value: ${acceptedValues(spec.kind)}`)
      i++
    }
    values[name] = readValue(spec, text, cwd)
  }
  return values
}

function readValue(spec: FlagSpec, text: string, cwd = process.cwd()): number | string | boolean {
  const fail = (): never => {
    throw new UsageError(`--${spec.name}`, `--${spec.name} must be ${acceptedValues(spec.kind)}, got ${JSON.stringify(text)}`)
  }
  const kind = spec.kind
  switch (kind.type) {
    case 'integer': {
      const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN
      return Number.isSafeInteger(value) && value >= kind.min ? value : fail()
    }
    case 'number': {
      const value = text.trim() === '' ? NaN : Number(text)
      const aboveMin = kind.above ? value > kind.min : value >= kind.min
      return Number.isFinite(value) && aboveMin && (kind.max === undefined || value <= kind.max) ? value : fail()
    }
    case 'duration': {
      const ms = parseDuration(text)
      return ms !== undefined && ms >= (kind.minMs ?? DEFAULT_MIN_MS) && ms <= (kind.maxMs ?? DEFAULT_MAX_MS) ? ms : fail()
    }
    case 'directory': return text.length > 0 && isWritableDirectory(resolve(cwd, text)) ? text : fail()
    case 'choice': return kind.choices.includes(text) ? text : fail()
    case 'string': return text.length > 0 ? text : fail()
    case 'boolean': return true
  }
}

/** True when `path` is a writable directory, or does not exist and its nearest existing parent is one (so it can be created). */
function isWritableDirectory(path: string): boolean {
  for (let at = path; ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return false
      accessSync(at, constants.W_OK)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) return false
    }
  }
}

/** The usage lines of `specs`: `--name <accepted>  help (default x)`. */
export function describeFlags(specs: readonly FlagSpec[]): string[] {
  const left = specs.map((spec) => `--${spec.name}${spec.kind.type === 'boolean' ? '' : ` ${placeholder(spec.kind)}`}`)
  const width = Math.max(...left.map((text) => text.length)) + 2
  return specs.map((spec, i) => `  ${left[i]!.padEnd(width)}${spec.help}${spec.defaultText === undefined ? '' : ` (default ${spec.defaultText})`}`)
}

function placeholder(kind: FlagKind): string {
  switch (kind.type) {
    case 'integer': return '<n>'
    case 'number': return '<x>'
    case 'duration': return '<duration>'
    case 'directory': return '<dir>'
    case 'choice': return `<${kind.choices.join('|')}>`
    default: return '<value>'
  }
}
