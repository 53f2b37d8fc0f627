/**
 * The implementations and how to start their runners. Node runners run under tsx (`node --import tsx`,
 * one process, so the PID the orchestrator holds is the runner itself). The peers come through
 * bench/lock/runners/launch.ts: Curator's runner compiled with javac into a temp dir against Debian's
 * libcurator jars (or CURATOR_CLASSPATH), kazoo's run by Debian's /usr/bin/python3 (or KAZOO_PYTHON).
 * A peer that cannot run here is skipped with one line saying how to add it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareCurator, prepareKazoo } from './launch.js';
import type { Implementation } from '../protocol.js';
import { type RuntimeVariant, entryOf, runtimeCommand, runtimeOf, runtimeVersion, variantLabel } from '../../shared/runtimes.js';

export const ALL_IMPLS: readonly Implementation[] = ['zkts-mutex', 'zkts-simple-lock', 'zkts-rwlock', 'nzc-recipe', 'curator', 'kazoo'];
/** Runnable when named with --impl, never by default: the negative control of the tests. */
export const TEST_IMPLS: readonly Implementation[] = ['broken-lock'];
/** What a --shared-session run measures unless --impl says otherwise (zkts-shared runs only when named). */
export const SHARED_SESSION_IMPLS: readonly Implementation[] = ['zkts-shared', 'zkts-mutex', 'curator', 'kazoo', 'nzc-recipe'];

/** zkts's own implementations; the others are the peers ratios are taken against. */
export function isZkts(impl: Implementation): boolean {
  return impl.startsWith('zkts-') || impl === 'broken-lock';
}

export const LABELS: Record<Implementation, string> = {
  'zkts-mutex': 'zkts Mutex',
  'zkts-shared': 'zkts SharedMutex (one node per session)',
  'zkts-simple-lock': 'zkts SimpleLock (herd)',
  'zkts-rwlock': 'zkts ReadWriteLock (90% reads)',
  'nzc-recipe': 'node-zookeeper-client + recipe',
  curator: 'Curator InterProcessMutex',
  kazoo: 'kazoo Lock',
  'broken-lock': 'broken lock (negative control: holds without waiting)',
  'zkts-mutex@node': 'zkts Mutex on Node (node:net)',
  'zkts-mutex@bun': 'zkts Mutex on Bun (Bun.connect)',
  'zkts-mutex@bun:node': 'zkts Mutex on Bun (node:net, Node-compat)',
  'zkts-mutex@deno': 'zkts Mutex on Deno (Deno.connect)',
  'zkts-mutex@deno:node': 'zkts Mutex on Deno (node:net, Node-compat)',
};

export interface PreparedImpl {
  impl: Implementation;
  /** Library and runtime versions, for the report. */
  version: string;
  /** argv of one runner process (it then reads its cells from stdin: protocol.ts). */
  command(): string[];
  dispose(): void;
}

export interface Skipped {
  impl: Implementation;
  reason: string;
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

const CURATOR_RUNNER = join(REPO, 'bench/lock/runners/curator/CuratorLockBench.java');
const KAZOO_RUNNER = join(REPO, 'bench/lock/runners/kazoo/kazoo_lock_bench.py');

function nodeRunner(impl: Implementation, file: string, version: string): PreparedImpl {
  const path = join(REPO, 'bench/lock/runners', file);
  return {
    impl,
    version,
    command: () => [process.execPath, '--import', 'tsx', path],
    dispose: () => undefined,
  };
}

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** A peer through bench/lock/runners/launch.ts (which finds the tools, compiles, and builds the command line). */
function peer(impl: 'curator' | 'kazoo'): PreparedImpl | string {
  const runner = impl === 'curator' ? CURATOR_RUNNER : KAZOO_RUNNER;
  if (!existsSync(runner)) return `its runner ${runner.slice(REPO.length)} is missing (it comes with the repository: restore it)`;
  const p = impl === 'curator' ? prepareCurator() : prepareKazoo();
  // launch.ts's reasons start with "Curator skipped: " / "kazoo skipped: "; the orchestrator says that itself.
  if (typeof p === 'string') return p.replace(/^\w+ skipped: /, '');
  return { impl, version: p.description, command: () => p.command(), dispose: () => p.dispose() };
}

/** zkts's Mutex under a runtime (--runtime): runners/zkts-runtime.ts, told its entry by `--entry`. */
function runtimeRunner(impl: `zkts-mutex@${RuntimeVariant}`): PreparedImpl {
  const variant = impl.slice('zkts-mutex@'.length) as RuntimeVariant;
  const path = join(REPO, 'bench/lock/runners/zkts-runtime.ts');
  const version = `zkts ${packageVersion('zkts') ?? '(this tree)'} (${variantLabel(variant, { [runtimeOf(variant)]: runtimeVersion(runtimeOf(variant)) })})`;
  return { impl, version, command: () => [...runtimeCommand(variant, path), '--entry', entryOf(variant)], dispose: () => undefined };
}

/** Prepares the requested implementations, in the order given; the rest are skipped with a reason. */
export function prepareImpls(impls: readonly Implementation[]): { ready: PreparedImpl[]; skipped: Skipped[] } {
  const ready: PreparedImpl[] = [];
  const skipped: Skipped[] = [];
  const node = `Node ${process.version}`;
  for (const impl of impls) {
    let p: PreparedImpl | string;
    switch (impl) {
      case 'zkts-mutex':
      case 'zkts-shared':
      case 'zkts-simple-lock':
      case 'zkts-rwlock':
      case 'broken-lock':
        p = nodeRunner(impl, 'zkts.ts', `zkts ${packageVersion('zkts') ?? '(this tree)'} (${node})`);
        break;
      case 'nzc-recipe': {
        const v = packageVersion('node-zookeeper-client');
        p =
          v === undefined
            ? 'node-zookeeper-client is not installed; to add it: npm install (it is a dev dependency)'
            : nodeRunner(impl, 'nzc-recipe.ts', `node-zookeeper-client ${v} (${node})`);
        break;
      }
      case 'curator':
        p = peer('curator');
        break;
      case 'kazoo':
        p = peer('kazoo');
        break;
      default:
        p = runtimeRunner(impl);
    }
    if (typeof p === 'string') skipped.push({ impl, reason: p });
    else ready.push(p);
  }
  return { ready, skipped };
}
