import { defineConfig } from 'vitest/config'

/**
 * The tests StrykerJS runs against each mutant of machines/ (`npm run mutation`, outside CI):
 * the batcher and supervisor suites and the model-based tests, without the child-process ones.
 */
export default defineConfig({
  test: {
    include: ['test/batcher/**/*.test.ts', 'test/supervisor/**/*.test.ts', 'test/model/**/*.test.ts'],
    exclude: ['test/batcher/processLifetime.test.ts'],
    testTimeout: 60_000,
  },
})
