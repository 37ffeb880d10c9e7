// StrykerJS over the statecharts (`npm run mutation`, outside CI: about 40 minutes on 2 cores).
// The project's TypeScript 7 has no compiler API, so Stryker's tsconfig rewriting is skipped by
// naming a tsconfig that does not exist; vitest runs the TypeScript sources through its own
// transform, so nothing else needs the compiler.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['machines/batcher.machine.ts', 'machines/supervisor.machine.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  reporters: ['clear-text', 'progress'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  tsconfigFile: 'no-tsconfig-for-stryker.json',
}
