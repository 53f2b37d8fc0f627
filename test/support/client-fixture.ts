/**
 * Per-test environment for the client integration tests: a fresh chroot on the shared server, a client
 * connected to it, and helpers to open more clients. Everything opened is closed, and the chroot
 * deleted, when the test ends (pass or fail).
 */
import { test as base, inject } from 'vitest';
import { type ConnectOptions, type Transport, type ZooKeeper, connect, nodeTransport } from '../../src/entry/node.js';
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

/** What a tapped connection shows: the bytes the client writes, and the chunks it reads. */
export interface ConnectionTap {
  written?(bytes: Uint8Array): void;
  read?(chunk: Uint8Array): void;
}

/** The node transport, showing each new connection's traffic to the tap `tapFor()` returns for it. */
export function tappedTransport(tapFor: () => ConnectionTap): Transport {
  return {
    async connect(options) {
      const conn = await nodeTransport.connect(options);
      const tap = tapFor();
      return {
        start: (sink) =>
          conn.start({
            data(chunk) {
              tap.read?.(chunk);
              sink.data(chunk);
            },
            closed: (error) => sink.closed(error),
          }),
        write(bytes) {
          tap.written?.(bytes);
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
}

/** The node transport, counting the bytes the client writes: proves that a rejected call sent nothing. */
export function countingTransport(): { transport: Transport; written(): number } {
  let written = 0;
  const transport = tappedTransport(() => ({ written: (bytes) => void (written += bytes.length) }));
  return { transport, written: () => written };
}

const decoder = new TextDecoder();

/** Node data as text (null stays null). */
export function text(data: Uint8Array | null): string | null {
  return data === null ? null : decoder.decode(data);
}
