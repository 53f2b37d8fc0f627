import { defineConfig } from 'vitest/config';

// Every wait in the tests scales with TIMING_MULTIPLIER (Curator's Timing): raise it on slow machines.
const timing = Number(process.env['TIMING_MULTIPLIER'] ?? '1') || 1;

export default defineConfig({
  test: {
    reporters: process.env['VITEST_JSON_OUT'] ? ['default', ['json', { outputFile: process.env['VITEST_JSON_OUT'] }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Unit tests first; the integration group (different worker settings) runs after them.
          sequence: { groupOrder: 0 },
          testTimeout: 20_000 * timing,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // Starts the shared standalone server once and stops it by PID at the end (test/support).
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000 * timing,
          hookTimeout: 120_000 * timing,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
    ],
  },
});
