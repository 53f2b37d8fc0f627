/**
 * Runner for zkts's own locks (protocol.ts): `zkts-mutex` (Mutex), `zkts-simple-lock` (SimpleLock, the
 * herd lock on one fixed node) and `zkts-rwlock` (ReadWriteLock, each acquisition a reader with
 * probability `readRatio`, default 0.9, else a writer). One client (session) per contender. And
 * `broken-lock`, the negative control the tests run: it holds as soon as its contender node exists.
 * `zkts-shared`: SharedMutex, which only differs from Mutex when contenders share a session
 * (RunnerConfig.shareSession: one session per process, opened once and shared by every contender).
 * A zkts client never renews an expired session (style guide §6), so `ended` tells the loop to open a
 * new one.
 */
import { CreateMode, type ZooKeeper, connect } from '../../../src/entry/node.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { Mutex, ReadWriteLock, type SharedLease, SharedMutex, SimpleLock } from '../../../src/recipes/index.js';
import type { RunnerConfig } from '../protocol.js';
import { type Contender, type Held, runRunner } from '../runner-loop.js';
import { SessionShare } from './session-share.js';

/** xorshift32: a reproducible reader/writer mix per session, without Math.random's shared state. */
function rng(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function held(lease: Lease | SharedLease, kind: 'w' | 'r'): Held {
  return { token: lease.fencingToken.toString(), kind, release: () => lease.release() };
}

const isEnded = (zk: ZooKeeper): boolean => zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed';
let share: SessionShare<ZooKeeper> | undefined;

/** The contender's session: its own, or (shareSession) the process's one. */
async function session(config: RunnerConfig): Promise<{ zk: ZooKeeper; close: () => Promise<void> }> {
  if (config.shareSession !== true) {
    const zk = await connect(config.connect, { sessionTimeout: config.sessionTimeoutMs });
    return { zk, close: () => zk.close() };
  }
  share ??= new SessionShare(
    () => connect(config.connect, { sessionTimeout: config.sessionTimeoutMs }),
    (zk) => zk.close(),
    isEnded,
  );
  const { session: zk, release } = await share.take();
  return { zk, close: release };
}

async function open(config: RunnerConfig, index: number): Promise<Contender> {
  const { zk, close } = await session(config);
  const ended = (): boolean => isEnded(zk);
  switch (config.impl) {
    case 'zkts-shared': {
      // Every contender of this process on one session: they queue locally behind one node.
      const mutex = new SharedMutex(zk, config.lockPath);
      return { acquire: async () => held(await mutex.acquire(), 'w'), close, ended };
    }
    case 'zkts-mutex': {
      const mutex = new Mutex(zk, config.lockPath);
      return { acquire: async () => held(await mutex.acquire(), 'w'), close, ended };
    }
    case 'zkts-simple-lock': {
      // The lock is one EPHEMERAL node; the cell's lock path is its (persistent) parent.
      const lock = new SimpleLock(zk, `${config.lockPath}/lock`);
      return { acquire: async () => held(await lock.acquire(), 'w'), close, ended };
    }
    case 'zkts-rwlock': {
      const lock = new ReadWriteLock(zk, config.lockPath);
      const readRatio = config.readRatio ?? 0.9;
      const next = rng(((config.worker ?? 0) + 1) * 7919 + index * 104729 + 1);
      return {
        acquire: async () =>
          next() < readRatio ? held(await lock.readLock().acquire(), 'r') : held(await lock.writeLock().acquire(), 'w'),
        close,
        ended,
      };
    }
    case 'broken-lock': {
      // The negative control (tests only): a contender node, and then no waiting at all.
      return {
        acquire: async () => {
          const { path, stat } = await zk.createWithStat(`${config.lockPath}/lock-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
          return { token: stat.czxid.toString(), kind: 'w', release: () => zk.delete(path) };
        },
        close,
        ended,
      };
    }
    default:
      throw new Error(`the zkts runner does not run ${config.impl}`);
  }
}

await runRunner({ open, notes: { library: 'zkts (this tree)' } });
