import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/modules/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/sim/**/*.test.ts',
      'test/e2e/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll waits for what the UI does on its own time (a camera starting, a page
    // answering); vitest's default of one second is no deadline a user has, and CI's loaded
    // two cores missed it (a fake camera took longer to start while the bench ran). A test
    // that asserts a deadline says so itself.
    expect: { poll: { timeout: 15_000 } },
  },
});
