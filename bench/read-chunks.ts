/**
 * readChunks over a 1 GB generated file: heap growth while a slow consumer takes the chunks,
 * against a peer in the same run (readline's 'line' events collected into chunks, the usual
 * hand-written reader, which cannot wait for its consumer). Target (issue 13): loadbatch's heap
 * growth under 64 MiB. The file is generated into the OS temp directory and deleted after.
 *
 * Run: node --expose-gc --import tsx bench/read-chunks.ts        (READ_CHUNKS_MB=1024 by default)
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { once } from 'node:events'
import { readChunks } from '../src/patterns/readChunks.ts'

const MiB = 1024 * 1024
const fileMiB = Number(process.env.READ_CHUNKS_MB ?? 1024)
const chunkSize = 1000
/** The peer is stopped once its heap grows past this, so the bench cannot exhaust a shared machine. */
const peerCeiling = 512 * MiB
const gc = (globalThis as { gc?: () => void }).gc

async function generate(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path)
  let written = 0
  let line = 0
  while (written < bytes) {
    const block: string[] = []
    for (let i = 0; i < 10_000; i++, line++) block.push(`${line},user-${line % 9973},${(line * 7919) % 100000},${'x'.repeat(60)}`)
    const text = block.join('\n') + '\n'
    written += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return line
}

/** A consumer that takes about a millisecond per chunk (a bulk insert would take longer), so a reader without backpressure runs ahead. */
const slowConsumer = () => new Promise<void>((resolve) => setTimeout(resolve, 1))

function heapProbe() {
  gc?.()
  const base = process.memoryUsage().heapUsed
  let peak = base
  return {
    sample() {
      const used = process.memoryUsage().heapUsed
      if (used > peak) peak = used
      return used - base
    },
    growth: () => peak - base,
  }
}

async function measureLoadbatch(path: string) {
  const probe = heapProbe()
  const started = performance.now()
  let lines = 0
  for await (const chunk of readChunks(path, { chunkSize })) {
    lines += chunk.length
    probe.sample()
    await slowConsumer()
  }
  return { lines, growth: probe.growth(), seconds: (performance.now() - started) / 1000, capped: false }
}

async function measurePeer(path: string) {
  const probe = heapProbe()
  const started = performance.now()
  const input = createReadStream(path, { encoding: 'utf8' })
  const rl = createInterface({ input, crlfDelay: Infinity })
  let lines = 0
  let capped = false
  let chunk: string[] = []
  // One chunk at a time, in order, as an insert with concurrency 1 would take them.
  let work = Promise.resolve()
  let chunks = 0
  rl.on('line', (line) => {
    chunk.push(line)
    if (chunk.length < chunkSize) return
    const taken = chunk
    chunk = []
    work = work.then(slowConsumer).then(() => void (lines += taken.length))
    if (++chunks % 100 === 0 && probe.sample() > peerCeiling) {
      capped = true
      rl.close()
      input.destroy()
    }
  })
  await once(rl, 'close')
  lines += chunk.length
  await work
  probe.sample()
  return { lines, growth: probe.growth(), seconds: (performance.now() - started) / 1000, capped }
}

const path = join(tmpdir(), `loadbatch-read-chunks-${process.pid}.csv`)
try {
  if (!gc) console.warn('run with --expose-gc for a clean baseline')
  const generatedLines = await generate(path, fileMiB * MiB)
  console.log(`generated ${fileMiB} MiB, ${generatedLines} lines at ${path}`)
  const ours = await measureLoadbatch(path)
  const peer = await measurePeer(path)
  const fmt = (r: typeof ours) => `${(r.growth / MiB).toFixed(1)} MiB heap growth${r.capped ? ' (stopped at the ceiling)' : ''}, ${r.lines} lines, ${((fileMiB / r.seconds)).toFixed(0)} MiB/s`
  console.log(`loadbatch readChunks:           ${fmt(ours)}`)
  console.log(`peer readline 'line' + chunks:  ${fmt(peer)}`)
  console.log(`heap growth ratio peer / loadbatch: ${(peer.growth / Math.max(ours.growth, 1)).toFixed(1)}x${peer.capped ? ' (at least)' : ''}`)
  const met = ours.growth < 64 * MiB && ours.lines === generatedLines
  console.log(`target heap growth < 64 MiB over ${fileMiB} MiB: ${met ? 'met' : 'NOT met'}`)
  process.exitCode = met ? 0 : 1
} finally {
  await rm(path, { force: true })
}
