/**
 * The run is what ZKTS_RUNTIME says (test/support/runtime/select.ts): vitest runs on that runtime, the
 * tests' `src/entry/node.js` import is that entry, and its connect() goes through that entry's transport.
 * Without this, a suite started with the wrong command would pass on the wrong runtime.
 */
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import * as entry from '../../../src/entry/node.js';
import { bunTransport } from '../../../src/transport/bun.js';
import { denoTransport } from '../../../src/transport/deno.js';
import { nodeTransport } from '../../../src/transport/node.js';
import { selectRuntime } from '../../support/runtime/select.js';

const selection = selectRuntime(process.env['ZKTS_RUNTIME']);
const transports = { node: nodeTransport, bun: bunTransport, deno: denoTransport };

/** The runtime this process runs on, from its globals. */
function detect(): string {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return 'bun';
  if (g.Deno !== undefined) return 'deno';
  return 'node';
}

describe(`runtime (ZKTS_RUNTIME=${process.env['ZKTS_RUNTIME'] ?? 'node'})`, () => {
  it('runtime - vitest runs on the selected runtime', () => {
    expect(detect()).toBe(selection.runtime);
  });

  it("runtime - the tests' entry is the selected entry, with its transport", () => {
    expect(entry.nodeTransport).toBe(transports[selection.entry]);
  });

  it("runtime - the entry's connect() dials through the runtime API the entry is for", async () => {
    // Count calls of the runtime function each transport ends in (node:net is not counted: its module
    // namespace cannot be patched; on Node it is the only possibility).
    const g = globalThis as { Bun?: Record<string, unknown>; Deno?: Record<string, unknown> };
    const target = selection.entry === 'bun' ? g.Bun : selection.entry === 'deno' ? g.Deno : undefined;
    let calls = 0;
    const original = target?.['connect'] as ((...args: unknown[]) => unknown) | undefined;
    if (target !== undefined) {
      target['connect'] = (...args: unknown[]) => {
        calls++;
        return original!.apply(target, args);
      };
    }
    try {
      const zk = await entry.connect(inject('zkConnect'), { sessionTimeout: 10_000 });
      await zk.close();
    } finally {
      if (target !== undefined) target['connect'] = original;
    }
    expect(calls).toBe(target === undefined ? 0 : 1);
  });
});
