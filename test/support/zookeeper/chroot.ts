/**
 * A fresh chroot per test suite (kazoo's setup_zookeeper): each suite works under its own node, so
 * suites can share one server, including a ZK_CONNECT server that holds other data.
 */
import { randomBytes } from 'node:crypto';
import { AdminClient, splitConnectString } from './admin-client.js';

/** Parent of every test chroot. */
export const CHROOT_ROOT = '/zkts-test';

export interface TestChroot {
  /** Server-side path of the chroot, e.g. `/zkts-test/watches-1a2b3c4d`. */
  readonly path: string;
  /** The server's hosts plus the chroot: hand this to the client under test. */
  readonly connectString: string;
  /** Deletes the chroot and everything below it. Safe to call more than once. */
  cleanup(): Promise<void>;
}

export interface ChrootOptions {
  /** Authenticate as the harness super user, so nodes with restrictive ACLs can be deleted too. */
  superUser?: boolean;
}

/** Creates `/zkts-test/<suite>-<random>` (mkdir -p) on the server(s) of `connectString`. */
export async function createChroot(connectString: string, suite: string, opts: ChrootOptions = {}): Promise<TestChroot> {
  const { chroot: base } = splitConnectString(connectString);
  const hosts = base === '' ? connectString : connectString.slice(0, connectString.indexOf('/'));
  const name =
    suite
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'suite';
  // Relative to any chroot already in connectString (ZK_CONNECT may carry one).
  const relative = `${CHROOT_ROOT}/${name}-${randomBytes(4).toString('hex')}`;
  const admin = await AdminClient.connect(connectString, { superUser: opts.superUser ?? false });
  try {
    await admin.mkdirp(relative);
  } finally {
    await admin.close();
  }
  const path = base + relative;
  let cleaned = false;
  return {
    path,
    connectString: hosts + path,
    async cleanup() {
      if (cleaned) return;
      const client = await AdminClient.connect(connectString, { superUser: opts.superUser ?? false });
      try {
        await client.deleteRecursive(relative);
        cleaned = true;
      } finally {
        await client.close();
      }
    },
  };
}
