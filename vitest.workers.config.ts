import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const timing = Number(process.env['TIMING_MULTIPLIER'] ?? '1') || 1;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The workerd suite: integration tests with the workerd transport (see test/workerd/support/node-entry.ts). */
const suite = {
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: '2026-11-01', compatibilityFlags: ['nodejs_compat'] } })],
  resolve: {
    alias: [
      { find: /^(?:\.\.\/)+src\/entry\/node\.js$/, replacement: here('./test/workerd/support/node-entry.ts') },
      { find: /^(?:\.\.\/)+(?:src\/)?transport\/node\.js$/, replacement: here('./test/workerd/support/no-node-transport.ts') },
      { find: /^(?:\.\.\/)+(?:support\/)?proxy\/index\.js$/, replacement: here('./test/workerd/support/remote-fault-proxy.ts') },
    ],
  },
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts', 'test/integration/client/*.test.ts', 'test/integration/recipes/*.test.ts'],
    exclude: [
      'test/integration/client/rw-probe.test.ts',
      'test/integration/client/host-names.test.ts',
      'test/integration/recipes/curator-interop.test.ts',
      // Java processes (Curator), and the benchmark's fenced store (a TCP server: workerd cannot listen).
      // SharedMutex has no runtime-specific code; these run on Node, Bun and Deno.
      'test/integration/recipes/shared-mutex-curator.test.ts',
      'test/integration/recipes/shared-mutex.test.ts',
    ],
    globalSetup: ['test/workerd/support/global-setup.ts'],
    testTimeout: 60_000 * timing,
    hookTimeout: 120_000 * timing,
  },
};

/** The edge example, driven over HTTP: its Worker and Durable Object from its wrangler.jsonc. */
const lockService = {
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: here('./examples/workers-lock-service/wrangler.jsonc') },
      miniflare: { bindings: { ZK_CONNECT: inject('zkConnect'), SESSION_TIMEOUT_MS: '4000' } },
    })),
  ],
  test: {
    name: 'workers-lock-service',
    include: ['examples/workers-lock-service/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000 * timing,
    hookTimeout: 120_000 * timing,
  },
};

export default defineConfig({
  test: {
    // .ci/run reads the JSON report (VITEST_JSON_OUT), as it does the Node suite's.
    reporters: process.env['VITEST_JSON_OUT'] ? ['default', ['json', { outputFile: process.env['VITEST_JSON_OUT'] }]] : ['default'],
    projects: [suite, lockService],
  },
});
