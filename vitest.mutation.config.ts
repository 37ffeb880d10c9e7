import { defineConfig } from 'vitest/config'

/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`, outside CI): the batcher and
 * supervisor suites, the model-based tests, and the hostile tables of invalid options and
 * throwing user callbacks; without the child-process test and the hostile property runs (they
 * cover nearly every mutant and cost seconds on each).
 */
export default defineConfig({
  test: {
    include: [
      'test/batcher/**/*.test.ts', 'test/supervisor/**/*.test.ts', 'test/model/**/*.test.ts',
      'test/hostile/invalidOptions.test.ts', 'test/hostile/userCallbacks.test.ts',
    ],
    exclude: ['test/batcher/processLifetime.test.ts'],
    testTimeout: 60_000,
  },
})
