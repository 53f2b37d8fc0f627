/**
 * Per-test environment for the client integration tests: a fresh chroot on the shared server, a client
 * connected to it, and helpers to open more clients. Everything opened is closed, and the chroot
 * deleted, when the test ends (pass or fail).
 */
import { test as base, inject } from 'vitest';
import { type ConnectOptions, type SessionState, type Transport, type ZooKeeper, connect, nodeTransport } from '../../src/entry/node.js';
import { type TestChroot, createChroot, scaled } from './zookeeper/index.js';

export interface ClientEnv {
  /** Host list of the shared server, no chroot. */
  readonly hosts: string;
  /** The test's chroot (server path and connect string). */
  readonly chroot: TestChroot;
  /** A client connected through the chroot. */
  readonly zk: ZooKeeper;
  /** Another client through the chroot; closed at the end of the test. */
  connect(options?: ConnectOptions): Promise<ZooKeeper>;
  /** A client without chroot (sees server paths); closed at the end of the test. */
  connectRoot(options?: ConnectOptions): Promise<ZooKeeper>;
  /** A client for any connect string (a proxy's address plus `chroot.path`, say); closed at the end of the test. */
  connectTo(connectString: string, options?: ConnectOptions): Promise<ZooKeeper>;
}

/** Connect options for tests: bounded connect, a request deadline well inside the test timeout. */
export function testOptions(options: ConnectOptions = {}): ConnectOptions {
  return { sessionTimeout: 10_000, connectTimeout: scaled(10_000), requestTimeout: scaled(20_000), ...options };
}

export const test = base.extend<{ env: ClientEnv }>({
  env: async ({ task }, use) => {
    const hosts = inject('zkConnect');
    // The super user can delete nodes whatever their ACL (only harness-started servers know it).
    const chroot = await createChroot(hosts, `client-${task.name}`, { superUser: inject('zkHarness') });
    const clients: ZooKeeper[] = [];
    const open = async (connectString: string, options?: ConnectOptions): Promise<ZooKeeper> => {
      const zk = await connect(connectString, testOptions(options));
      clients.push(zk);
      return zk;
    };
    try {
      const zk = await open(chroot.connectString);
      await use({
        hosts,
        chroot,
        zk,
        connect: (options) => open(chroot.connectString, options),
        connectRoot: (options) => open(hosts, options),
        connectTo: open,
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await chroot.cleanup();
    }
  },
});

export { expect, describe } from 'vitest';

/** Polls `probe` until it returns true, for at most `ms` (scaled); for server-side timers (TTL, containers). */
export async function eventually(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + scaled(ms);
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${scaled(ms)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Resolves when `zk` next enters `state`, with every state seen on the way (subscribe before causing
 * the change); rejects after `ms` (scaled).
 */
export function nextState(zk: ZooKeeper, state: SessionState, ms = 10_000): Promise<SessionState[]> {
  const seen: SessionState[] = [];
  let off = (): void => {};
  const reached = new Promise<SessionState[]>((resolve) => {
    off = zk.onStateChange((change) => {
      seen.push(change.state);
      if (change.state === state) resolve(seen);
    });
  });
  return within(reached, ms, () => `state ${state} (seen: ${seen.join(', ') || 'nothing'})`).finally(off);
}

/** Resolves with `promise`'s value, or rejects if it has not settled within `ms` (scaled). */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${scaled(ms)} ms waiting for ${typeof what === 'string' ? what : what()}`));
    }, scaled(ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The node transport, counting the bytes the client writes: proves that a rejected call sent nothing. */
export function countingTransport(): { transport: Transport; written(): number } {
  let written = 0;
  const transport: Transport = {
    async connect(options) {
      const conn = await nodeTransport.connect(options);
      return {
        start: (sink) => conn.start(sink),
        write(bytes) {
          written += bytes.length;
          return conn.write(bytes);
        },
        drained: () => conn.drained(),
        get bufferedAmount() {
          return conn.bufferedAmount;
        },
        close: () => conn.close(),
        remote: conn.remote,
      };
    },
  };
  return { transport, written: () => written };
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

const decoder = new TextDecoder();

/** Node data as text (null stays null). */
export function text(data: Uint8Array | null): string | null {
  return data === null ? null : decoder.decode(data);
}
