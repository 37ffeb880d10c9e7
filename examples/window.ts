/**
 * Windows: a sliding 1 s window every 250 ms over a stream of readings (an Observable), and
 * count windows of 5 sliding by 5 over an array. Run: node --import tsx examples/window.ts
 */
import { interval, map, take } from 'rxjs'
import { window } from '../src/index.ts'

const readings$ = interval(50).pipe(take(40), map((i) => 20 + Math.sin(i / 5) * 3))
const started = performance.now()
await new Promise<void>((resolve) => {
  window(readings$, { sizeMs: 1000, slideMs: 250 }).subscribe({
    next: (w) => {
      const mean = w.items.reduce((a, b) => a + b, 0) / w.items.length
      console.log(`[${(w.start - started).toFixed(0).padStart(5)} ms, +1 s) ${String(w.items.length).padStart(2)} readings, mean ${mean.toFixed(2)}`)
    },
    complete: resolve,
  })
})

for await (const w of window([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { count: 5 })) console.log(`items ${w.start}..${w.end - 1}:`, w.items)
