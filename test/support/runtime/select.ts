/**
 * Which runtime and entry the integration tests run with, from ZKTS_RUNTIME (vitest.config.ts reads it):
 *
 *   (unset) or node   Node, the Node entry (node:net)
 *   bun               Bun, the Bun entry (Bun.connect)       npm run test:bun
 *   deno              Deno, the Deno entry (Deno.connect)    npm run test:deno
 *   bun:node          Bun, the Node entry (Bun's node:net)   npm run test:bun-node
 *   deno:node         Deno, the Node entry (Deno's node:net) npm run test:deno-node
 *
 * The test files import `src/entry/node.js`; for the bun and deno entries an alias sends that import to
 * the shim in this folder, which re-exports the runtime's entry. The runtime itself is chosen by the
 * command that starts vitest (`bun --bun vitest`, `deno run -A vitest.mjs`); test/integration/transport/
 * runtime.test.ts fails when the two disagree.
 */
import { fileURLToPath } from 'node:url';

export type RuntimeName = 'node' | 'bun' | 'deno';

export interface RuntimeSelection {
  /** The runtime vitest must be running on. */
  runtime: RuntimeName;
  /** The entry `src/entry/node.js` resolves to in the tests. */
  entry: RuntimeName;
}

const NAMES: readonly RuntimeName[] = ['node', 'bun', 'deno'];

/** Parses ZKTS_RUNTIME (`runtime` or `runtime:entry`); throws on anything else, so a typo never runs Node. */
export function selectRuntime(value: string | undefined): RuntimeSelection {
  const [runtime = 'node', entry = runtime, ...rest] = (value ?? '').trim() === '' ? [] : value!.trim().split(':');
  const known = (name: string): name is RuntimeName => (NAMES as readonly string[]).includes(name);
  if (rest.length > 0 || !known(runtime) || !known(entry) || (entry !== runtime && entry !== 'node')) {
    throw new Error(`ZKTS_RUNTIME=${value}: expected node, bun, deno, bun:node or deno:node`);
  }
  return { runtime, entry };
}

/** Vite aliases that point the tests' `src/entry/node.js` imports at `entry`'s shim (none for node). */
export function entryAliases(entry: RuntimeName): { find: RegExp; replacement: string }[] {
  if (entry === 'node') return [];
  return [{ find: /^(?:\.\.\/)+src\/entry\/node\.js$/, replacement: fileURLToPath(new URL(`./${entry}-entry.ts`, import.meta.url)) }];
}
