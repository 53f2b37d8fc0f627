/**
 * `zkts lock` when its connection goes silent: the holder reaches the shared server through a FaultProxy
 * and a 2 s session; the proxy black-holes it while a second `zkts lock` waits on a direct connection.
 * The holder's lease lapses before the server expires its session, so its CMD is sent SIGTERM (and
 * writes `term`) before the lock node goes and before the second CMD starts; the holder exits 125 with a
 * one-line reason. Uses the shared server; only this file's proxy is faulted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, inject, it, vi } from 'vitest';
import { type ZooKeeper, connect } from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { CliRunner, exited, holdCommand, lineAppears, readLines } from '../../support/cli.js';
import { type TestChroot, createChroot, scaled, splitConnectString, waitFor } from '../../support/zookeeper/index.js';

// Every zkts run starts Node with tsx (about a second, several on a loaded machine): roomier bounds.
vi.setConfig({ testTimeout: scaled(180_000) });

let chroot: TestChroot;
let zk: ZooKeeper;
let proxy: FaultProxy;
let cli: CliRunner;
let dir: string;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'cli-lock-faults', { superUser: inject('zkHarness') });
  zk = await connect(chroot.connectString, { sessionTimeout: 10_000, connectTimeout: scaled(10_000) });
  proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
  cli = new CliRunner({ ZK_CONNECT: chroot.connectString });
  dir = mkdtempSync(join(tmpdir(), 'zkts-cli-faults-'));
});

afterEach(() => cli.killAll());

afterAll(async () => {
  await proxy?.close();
  await zk?.close();
  await chroot?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

it("stops a black-holed holder's command before the lock passes on, and exits 125", async () => {
  const file = join(dir, 'lines');
  cli.watchLineFile(file);
  const viaProxy = `${proxy.address}${chroot.path}`;
  const holder = cli.start([
    'lock',
    '/bh',
    '--connect',
    viaProxy,
    '--session-timeout',
    '2000',
    '--kill-after',
    '3000',
    '--',
    ...holdCommand(file, 'A', -1),
  ]);
  await lineAppears(file, 'start', 'A', 30_000);
  const [holderNode] = await zk.getChildren('/bh');
  const { watch: holderGone } = await zk.exists(`/bh/${holderNode!}`, { watch: true });
  let deletedAt = 0;
  void holderGone.then(() => (deletedAt = Date.now()));

  const waiter = cli.start(['lock', '/bh', '--', ...holdCommand(file, 'B', 0)]);
  await waitFor(async () => ((await zk.getChildren('/bh')).length === 2 ? true : undefined), {
    timeoutMs: scaled(30_000),
    what: 'the second zkts lock queued',
  });

  proxy.blackhole(true);
  const held = await exited(holder, 40_000);
  expect(held.code).toBe(125);
  expect(held.stderr).toMatch(
    /^zkts lock: lock on \/bh lost \((lease-expired|session-ended|disconnected): .*\); stopping CMD: SIGTERM now, SIGKILL after 3000 ms\n$/,
  );
  expect((await exited(waiter, 40_000)).code).toBe(0);

  const lines = readLines(file);
  expect(lines.map((l) => `${l.event} ${l.name}`)).toEqual(['start A', 'term A', 'start B', 'end B']);
  const term = lines[1]!;
  // The holder's CMD was told to stop before the server deleted its lock node (the session's expiry).
  expect(deletedAt).toBeGreaterThan(0);
  expect(term.time).toBeLessThan(deletedAt);
  expect(BigInt(lines[2]!.token)).toBeGreaterThan(BigInt(lines[0]!.token));
});
