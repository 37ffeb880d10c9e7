import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/index.ts'
import { readChunks } from '../../src/patterns/readChunks.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadbatch-readchunks-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

async function collect(iterable: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = []
  for await (const chunk of iterable) out.push(chunk)
  return out
}

describe('readChunks', () => {
  it('yields chunks of chunkSize lines and a last partial chunk, with \\n and \\r\\n endings removed', async () => {
    const path = await fileWith('lines.txt', 'a\r\nb\nc\n\nd')
    expect(await collect(readChunks(path, { chunkSize: 2 }))).toEqual([['a', 'b'], ['c', ''], ['d']])
  })

  it('reads a file: URL as well as a path', async () => {
    const path = await fileWith('url.txt', 'x\ny\n')
    expect(await collect(readChunks(pathToFileURL(path)))).toEqual([['x', 'y']])
  })

  it('yields nothing for an empty file', async () => {
    expect(await collect(readChunks(await fileWith('empty.txt', '')))).toEqual([])
  })

  it('decodes with the given encoding, and keeps multi-byte characters split across reads whole', async () => {
    const latin = await fileWith('latin1.txt', Buffer.from('café\nnaïve\n', 'latin1'))
    expect(await collect(readChunks(latin, { encoding: 'latin1' }))).toEqual([['café', 'naïve']])
    const utf8 = await fileWith('utf8.txt', '€€€€\n日本語\n')
    expect(await collect(readChunks(utf8, { highWaterMark: 1 }))).toEqual([['€€€€', '日本語']])
  })

  it('reads a file of many lines completely and in order', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => `line ${i}`)
    const path = await fileWith('many.txt', lines.join('\n'))
    const chunks = await collect(readChunks(path, { chunkSize: 1000 }))
    expect(chunks).toHaveLength(11)
    expect(chunks.flat()).toEqual(lines)
  })

  it('closes the file when the loop breaks, and stops with an AbortError on abort', async () => {
    const path = await fileWith('abort.txt', Array.from({ length: 5000 }, (_, i) => i).join('\n'))
    for await (const chunk of readChunks(path, { chunkSize: 10 })) {
      expect(chunk[0]).toBe('0')
      break
    }
    const controller = new AbortController()
    const reading = (async () => {
      for await (const _ of readChunks(path, { chunkSize: 10, signal: controller.signal })) controller.abort()
    })()
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('rejects the first read of a missing file, and bad options at the call', async () => {
    await expect(collect(readChunks(join(dir, 'missing.txt')))).rejects.toMatchObject({ code: 'ENOENT' })
    expect(() => readChunks('x', { chunkSize: 0 })).toThrow(ConfigError)
    expect(() => readChunks('x', { chunkSize: 0 })).toThrow('`chunkSize`')
    expect(() => readChunks('x', { encoding: 'klingon' as never })).toThrow('`encoding`')
    expect(() => readChunks(42 as never)).toThrow('`path`')
  })
})
