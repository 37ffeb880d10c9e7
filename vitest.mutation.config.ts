import { defineConfig } from 'vitest/config'

/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`, outside CI): the batcher and
 * supervisor suites, the model-based tests, the hostile tables of invalid options and throwing
 * user callbacks, and the fast suites that drive a real batcher; without the child-process test
 * and the hostile property runs (they cover nearly every mutant and cost seconds on each).
 */
export default defineConfig({
  test: {
    include: [
      'test/batcher/**/*.test.ts', 'test/supervisor/**/*.test.ts', 'test/model/**/*.test.ts',
      'test/hostile/invalidOptions.test.ts', 'test/hostile/userCallbacks.test.ts',
      // Fast suites that drive a real batcher: error classes, runtime hooks, feedback, the RxJS operators, loadbatch/testing.
      'test/controllers/errorClasses.test.ts', 'test/controllers/runtimeHooks.test.ts', 'test/feedback.test.ts', 'test/rx/**/*.test.ts', 'test/testing/**/*.test.ts',
    ],
    exclude: ['test/batcher/processLifetime.test.ts'],
    testTimeout: 60_000,
  },
})
