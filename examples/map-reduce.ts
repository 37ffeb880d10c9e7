/**
 * Map-reduce: sales lines parsed in parallel (10 at once) and summed by region; a corrupt line
 * is reported, the rest still counted. Run: node --import tsx examples/map-reduce.ts
 */
import { mapReduce } from '../src/index.ts'

async function* salesLines() {
  const regions = ['north', 'south', 'east', 'west']
  for (let i = 0; i < 5000; i++) yield i === 777 ? 'garbage' : `${regions[i % 4]},${(i % 50) + 0.5}`
}

const { result, failures, count } = await mapReduce({
  extract: () => salesLines(),
  map: async (line: string) => {
    const [region, amount] = line.split(',')
    if (!region || amount === undefined || Number.isNaN(Number(amount))) throw new Error(`cannot parse "${line}"`)
    return { region, amount: Number(amount) }
  },
  reduce: (sales) => sales.reduce<Record<string, number>>((totals, sale) => ({ ...totals, [sale.region]: (totals[sale.region] ?? 0) + sale.amount }), {}),
  concurrency: 10,
})

console.log(`${count} lines, totals by region:`, result)
console.log(`${failures.length} failed:`, failures.map((f) => `#${f.index} ${(f.cause as Error).message}`))
