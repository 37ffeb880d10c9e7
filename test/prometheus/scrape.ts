import type { Registry } from 'prom-client'

/** Scrapes `registry` as Prometheus would and returns its text and each sample by `name{labels}` (labels sorted). */
export async function scrape(registry: Registry): Promise<{ text: string; value(name: string, labels?: Record<string, string>): number | undefined }> {
  const text = await registry.metrics()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line)
    if (!match) continue
    const labels = [...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/gi)].map(([, k, v]) => `${k}=${v}`).sort()
    samples.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]))
  }
  return {
    text,
    value: (name, labels = {}) => samples.get(`${name}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',')}}`),
  }
}
