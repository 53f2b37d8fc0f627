/**
 * Runner for the lock benchmark's --runtime runs (protocol.ts; bench/shared/runtimes.ts): zkts's Mutex,
 * one client (session) per contender, exactly as runners/zkts.ts runs `zkts-mutex`, with the client's
 * connect() taken from the entry `--entry node|bun|deno` names. The runtime is whatever runs this file
 * (Node through tsx, `bun`, `deno run --sloppy-imports`), so `--entry node` on Bun or Deno is that
 * runtime's Node-compat path (node:net) and `--entry bun` / `--entry deno` its native transport.
 */
import * as bunEntry from '../../../src/entry/bun.js';
import * as denoEntry from '../../../src/entry/deno.js';
import * as nodeEntry from '../../../src/entry/node.js';
import { Mutex } from '../../../src/recipes/index.js';
import type { RunnerConfig } from '../protocol.js';
import { type Contender, runRunner } from '../runner-loop.js';

const ENTRIES = { node: nodeEntry, bun: bunEntry, deno: denoEntry } as const;
const name = process.argv[process.argv.indexOf('--entry') + 1] ?? '';
if (!process.argv.includes('--entry') || !(name in ENTRIES))
  throw new Error(`zkts-runtime runner: --entry node, bun or deno, not ${JSON.stringify(name)}`);
const { connect } = ENTRIES[name as keyof typeof ENTRIES];

async function open(config: RunnerConfig): Promise<Contender> {
  if (!config.impl.startsWith('zkts-mutex@')) throw new Error(`the zkts-runtime runner does not run ${config.impl}`);
  const zk = await connect(config.connect, { sessionTimeout: config.sessionTimeoutMs });
  const mutex = new Mutex(zk, config.lockPath);
  return {
    acquire: async () => {
      const lease = await mutex.acquire();
      return { token: lease.fencingToken.toString(), kind: 'w', release: () => lease.release() };
    },
    close: () => zk.close(),
    // A zkts client never renews an expired session: the loop opens a new one.
    ended: () => zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed',
  };
}

await runRunner({ open, notes: { library: `zkts (this tree), the ${name} entry` } });
