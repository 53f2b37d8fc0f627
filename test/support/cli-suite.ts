/**
 * The set-up the `zkts lock` and `zkts elect` test files share: per file, a chroot on the shared server
 * (`label` names it), a client in it and a CliRunner pointed at it; per test, a fresh directory and the
 * hold.mjs line file the runner watches. After each test every zkts and CMD still running is killed by PID
 * and the directory removed; after the file the client closes and the chroot goes. Call it at a file's top
 * level; read the fields inside tests (they are set by the hooks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { type ZooKeeper, connect } from '../../src/entry/node.js';
import { CliRunner } from './cli.js';
import { type TestChroot, createChroot, scaled } from './zookeeper/index.js';

export interface CliSuite {
  /** A client in the file's chroot. */
  readonly zk: ZooKeeper;
  /** Runs zkts with ZK_CONNECT set to the chroot. */
  readonly cli: CliRunner;
  /** This test's own directory. */
  readonly dir: string;
  /** This test's hold.mjs line file (in `dir`), watched by `cli`. */
  readonly file: string;
}

export function cliSuite(label: string): CliSuite {
  const suite = {} as { zk: ZooKeeper; cli: CliRunner; dir: string; file: string };
  let chroot: TestChroot | undefined;

  beforeAll(async () => {
    chroot = await createChroot(inject('zkConnect'), label, { superUser: inject('zkHarness') });
    suite.zk = await connect(chroot.connectString, { sessionTimeout: 10_000, connectTimeout: scaled(10_000) });
    suite.cli = new CliRunner({ ZK_CONNECT: chroot.connectString });
  });

  beforeEach(() => {
    suite.dir = mkdtempSync(join(tmpdir(), `zkts-${label}-`));
    suite.file = join(suite.dir, 'lines');
    suite.cli.watchLineFile(suite.file);
  });

  afterEach(() => {
    suite.cli.killAll();
    rmSync(suite.dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await suite.zk?.close();
    await chroot?.cleanup();
  });

  return suite;
}
