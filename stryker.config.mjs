// StrykerJS over the statecharts and the batcher and supervisor runtimes (`npm run mutation`,
// outside CI): about 3 hours on 2 shared cores with concurrency 1 (the two charts take about 10
// minutes each, their mutants being static; src/supervisor about an hour; src/batcher the rest).
// To measure one part: `npx stryker run --mutate 'src/supervisor/*.ts'`; add `--incremental` to
// re-test only what changed since the last run (reports/stryker-incremental.json, not committed).
// The project's TypeScript 7 has no compiler API, so Stryker's tsconfig rewriting is skipped by
// naming a tsconfig that does not exist; vitest runs the TypeScript sources through its own
// transform, so nothing else needs the compiler.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['machines/batcher.machine.ts', 'machines/supervisor.machine.ts', 'src/batcher/*.ts', 'src/supervisor/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  reporters: ['clear-text', 'progress', 'json'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  tsconfigFile: 'no-tsconfig-for-stryker.json',
}
