import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { checkFinite } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'

/** The text encodings a file of lines can be read in (Node's names). */
export type TextEncoding = 'utf8' | 'utf-8' | 'utf16le' | 'utf-16le' | 'ucs2' | 'ucs-2' | 'latin1' | 'binary' | 'ascii'

const TEXT_ENCODINGS: readonly string[] = ['utf8', 'utf-8', 'utf16le', 'utf-16le', 'ucs2', 'ucs-2', 'latin1', 'binary', 'ascii']

/** A `file:` URL (a WHATWG `URL`); typed by shape so the declarations need no DOM or Node types. */
export interface FileUrl {
  readonly href: string
}

/** Options of {@link readChunks}. */
export interface ReadChunksOptions {
  /** Lines per chunk (default 1000). An integer >= 1. */
  readonly chunkSize?: number
  /** The file's text encoding (default 'utf8'). */
  readonly encoding?: TextEncoding
  /** Stops reading: the file is closed and the loop throws AbortError. */
  readonly signal?: AbortSignal
  /** Bytes read from disk at a time (default 64 KiB). */
  readonly highWaterMark?: number
}

/**
 * Reads a text file as chunks of lines, in bounded memory whatever the file's size (the batch
 * guide's chunked processor): the file is read only as fast as chunks are taken, so memory
 * holds one chunk, one read buffer and what readline holds back (measured in
 * `bench/read-chunks.ts`: a 1 GiB file, 15 MiB of heap growth). One line is held whole, so a
 * file with a single gigantic line needs that much memory. Lines end at `\n` or
 * `\r\n` (the ending is not part of the line); a last line without an ending is yielded too;
 * an empty file yields nothing. The file is closed when the loop ends, breaks or throws.
 * Bad options throw a ConfigError at the call; a missing file rejects the first `next()`.
 *
 * @example
 * for await (const lines of readChunks('events.ndjson', { chunkSize: 5000 })) await insert(lines.map(JSON.parse))
 * @example
 * // line by line into a load-aware run, still in bounded memory:
 * async function* lines() { for await (const chunk of readChunks(path)) yield* chunk }
 * await processInBatches(lines(), insert, { size: { initial: 500, min: 50, max: 5000 }, targetLatencyMs: 200 })
 */
export function readChunks(path: string | FileUrl, options: ReadChunksOptions = {}): AsyncGenerator<string[], void, undefined> {
  if (typeof path !== 'string' && !(path instanceof URL)) throw new ConfigError('path', 'a file path (a string or a file: URL)', path)
  const chunkSize = checkFinite('chunkSize', options.chunkSize ?? 1000, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const highWaterMark = checkFinite('highWaterMark', options.highWaterMark ?? 64 * 1024, 'an integer >= 1', (v) => Number.isInteger(v) && v >= 1)
  const encoding = options.encoding ?? 'utf8'
  if (!TEXT_ENCODINGS.includes(encoding)) throw new ConfigError('encoding', `a text encoding: ${TEXT_ENCODINGS.join(', ')}`, encoding)
  return readLineChunks(path as string | URL, chunkSize, { encoding, highWaterMark, ...(options.signal ? { signal: options.signal } : {}) })
}

async function* readLineChunks(
  path: string | URL,
  chunkSize: number,
  streamOptions: { encoding: TextEncoding; highWaterMark: number; signal?: AbortSignal },
): AsyncGenerator<string[], void, undefined> {
  const input = createReadStream(path, streamOptions)
  // readline's async iterator pauses the file stream while its line queue is full: backpressure from our consumer down to the disk.
  const lines = createInterface({ input, crlfDelay: Infinity })
  try {
    let chunk: string[] = []
    for await (const line of lines) {
      chunk.push(line)
      if (chunk.length >= chunkSize) {
        yield chunk
        chunk = []
      }
    }
    if (chunk.length > 0) yield chunk
  } finally {
    lines.close()
    input.destroy()
  }
}
