/**
 * Line colours of the reports: the first run (the adaptive one) gets a strong blue, the fixed
 * sizes after it warm and grey tones; colour-blind-safe (Okabe–Ito).
 */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'] as const

/** The colour of the `index`-th series, cycling through {@link palette}. */
export function colorOf(index: number): string {
  return palette[index % palette.length]!
}
