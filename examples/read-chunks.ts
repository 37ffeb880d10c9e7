/**
 * A big file in bounded memory: writes a 200 000-line CSV to the temp directory, reads it 5 000
 * lines at a time, and deletes it. Run: node --import tsx examples/read-chunks.ts
 */
import { writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readChunks } from '../src/index.ts'

const path = join(tmpdir(), `loadbatch-example-${process.pid}.csv`)
await writeFile(path, Array.from({ length: 200_000 }, (_, i) => `${i},customer-${i % 997},${(i * 31) % 1000}`).join('\n'))
try {
  let lines = 0
  let total = 0
  for await (const chunk of readChunks(path, { chunkSize: 5000 })) {
    lines += chunk.length
    for (const line of chunk) total += Number(line.split(',')[2])
  }
  console.log(`${lines} lines, sum of amounts ${total}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`)
} finally {
  await rm(path, { force: true })
}
