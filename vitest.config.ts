import { defineConfig } from 'vitest/config';
import { entryAliases, selectRuntime } from './test/support/runtime/select.js';
// Every wait in the tests scales with TIMING_MULTIPLIER (Curator's Timing): raise it on slow machines.
import { scaled } from './test/support/zookeeper/timing.js';

// ZKTS_RUNTIME=bun|deno|bun:node|deno:node: the entry the integration tests import (test/support/runtime).
const { entry } = selectRuntime(process.env['ZKTS_RUNTIME']);

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
          testTimeout: scaled(20_000),
        },
      },
      {
        resolve: { alias: entryAliases(entry) },
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // Starts the shared standalone server once and stops it by PID at the end (test/support).
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: scaled(60_000),
          hookTimeout: scaled(120_000),
          pool: 'forks',
          maxWorkers: 2,
        },
      },
    ],
  },
});
