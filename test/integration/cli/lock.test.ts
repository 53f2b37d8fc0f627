/**
 * `zkts lock` as a user runs it: separate zkts processes around a CMD (test/fixtures/cli/hold.mjs) that
 * appends `start`/`end` lines with timestamps to one file.
 * - Three concurrent runs never overlap and hand over in the order they queued, with growing fencing
 *   tokens, and each exits with its CMD's exit code.
 * - SIGINT to zkts is passed on to CMD, and the lock is released once CMD has exited (the next waiter runs).
 * - --try on a taken lock exits 75, --timeout exits 124, and SIGINT while waiting exits 130, none of them
 *   running CMD or leaving a node.
 * - A CMD that does not exist exits 127 and releases the lock.
 * - A lost lock (its node deleted by someone else) stops CMD: SIGTERM, and SIGKILL after --kill-after for
 *   a CMD that ignores SIGTERM; zkts exits 125 with one line saying why.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cliSuite } from '../../support/cli-suite.js';
import { exited, holdCommand, lineAppears, readLines } from '../../support/cli.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';

// Every zkts run starts Node with tsx (about a second, several on a loaded machine): roomier bounds.
vi.setConfig({ testTimeout: scaled(180_000) });

const suite = cliSuite('cli-lock');

/** Contender nodes under a lock path (none once the container is gone). */
async function contenders(path: string): Promise<number> {
  try {
    return (await suite.zk.getChildren(path)).length;
  } catch {
    return 0;
  }
}

async function queued(path: string, n: number): Promise<void> {
  await waitFor(async () => ((await contenders(path)) === n ? true : undefined), {
    timeoutMs: scaled(30_000),
    what: `${n} contenders on ${path}`,
  });
}

describe('zkts lock', () => {
  it('runs concurrent commands one at a time, in queue order, with growing fencing tokens and their own exit codes', async () => {
    const { cli, dir, file } = suite;
    // A holds until the test opens its gate, once B and C are queued behind it.
    const gate = join(dir, 'gate');
    const a = cli.start(['lock', '/jobs', '--', ...holdCommand(file, 'A', `until:${gate}`, 0)]);
    await lineAppears(file, 'start', 'A', 30_000);
    const b = cli.start(['lock', '/jobs', '--', ...holdCommand(file, 'B', 300, 3)]);
    await queued('/jobs', 2);
    const c = cli.start(['lock', '/jobs', '--', ...holdCommand(file, 'C', 300, 0)]);
    await queued('/jobs', 3);
    writeFileSync(gate, '');

    const [ra, rb, rc] = await Promise.all([exited(a, 60_000), exited(b, 60_000), exited(c, 60_000)]);
    expect([ra.code, rb.code, rc.code]).toEqual([0, 3, 0]);
    expect(ra.stderr + rb.stderr + rc.stderr).toBe('');

    const lines = readLines(file);
    expect(lines.map((l) => `${l.event} ${l.name}`)).toEqual(['start A', 'end A', 'start B', 'end B', 'start C', 'end C']);
    // Never overlapping in time either: each start comes no earlier than the previous end.
    for (let i = 2; i < lines.length; i += 2) expect(lines[i]!.time).toBeGreaterThanOrEqual(lines[i - 1]!.time);
    const tokens = lines.filter((l) => l.event === 'start').map((l) => BigInt(l.token));
    expect(tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!).toBe(true);
    expect(await contenders('/jobs')).toBe(0);
  });

  it('passes CMD the fencing token, lock path, lock node and session id', async () => {
    const { cli } = suite;
    const env = await cli.run([
      'lock',
      '/envs',
      '--',
      'sh',
      '-c',
      'echo "$ZKTS_FENCING_TOKEN|$ZKTS_LOCK_PATH|$ZKTS_LOCK_NODE|$ZKTS_SESSION_ID"',
    ]);
    expect(env.code).toBe(0);
    const [token, path, node, session] = env.stdout.trim().split('|');
    expect(token).toMatch(/^\d+$/);
    expect(path).toBe('/envs');
    expect(node).toMatch(/^\/envs\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    expect(session).toMatch(/^0x[0-9a-f]+$/);
  });

  it('passes SIGINT on to CMD and releases the lock once CMD has exited', async () => {
    const { cli, file } = suite;
    const holder = cli.start(['lock', '/ctrl-c', '--', ...holdCommand(file, 'A', -1)]);
    await lineAppears(file, 'start', 'A', 30_000);
    const waiter = cli.start(['lock', '/ctrl-c', '--timeout', String(scaled(30_000)), '--', ...holdCommand(file, 'B', 0)]);
    await queued('/ctrl-c', 2);

    holder.child.kill('SIGINT');
    const r = await exited(holder, 30_000);
    // CMD's own exit code after its SIGINT handler (130), with nothing said by zkts.
    expect(r).toMatchObject({ code: 130, stderr: '' });
    expect((await exited(waiter, 30_000)).code).toBe(0);
    expect(readLines(file).map((l) => `${l.event} ${l.name}`)).toEqual(['start A', 'int A', 'start B', 'end B']);
  });

  it('--try exits 75, --timeout 124 and SIGINT while waiting 130, without running CMD or leaving a node', async () => {
    const { cli, file } = suite;
    const holder = cli.start(['lock', '/busy', '--', ...holdCommand(file, 'A', -1)]);
    await lineAppears(file, 'start', 'A', 30_000);

    const tried = await cli.run(['lock', '/busy', '--try', '--', ...holdCommand(file, 'T', 0)]);
    expect(tried).toMatchObject({ code: 75, stderr: 'zkts lock: /busy is held by another process\n' });
    const started = Date.now();
    const timed = await cli.run(['lock', '/busy', '--timeout', '800', '--', ...holdCommand(file, 'W', 0)]);
    expect(timed).toMatchObject({ code: 124, stderr: 'zkts lock: timed out after 800 ms waiting for /busy\n' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    // Ctrl-C while waiting: no CMD, the waiter's node removed, 128 + SIGINT.
    const waiting = cli.start(['lock', '/busy', '--', ...holdCommand(file, 'I', 0)]);
    await queued('/busy', 2);
    waiting.child.kill('SIGINT');
    expect(await exited(waiting, 30_000)).toMatchObject({
      code: 130,
      stderr: 'zkts lock: interrupted by SIGINT while waiting for /busy\n',
    });
    expect(readLines(file).map((l) => l.name)).toEqual(['A']);
    expect(await contenders('/busy')).toBe(1);

    holder.child.kill('SIGTERM');
    expect((await exited(holder, 30_000)).code).toBe(0); // hold.mjs exits 0 on SIGTERM
    // Free now: --try takes it and runs CMD.
    expect((await cli.run(['lock', '/busy', '--try', '--', ...holdCommand(file, 'T2', 0)])).code).toBe(0);
    expect(readLines(file).map((l) => `${l.event} ${l.name}`)).toEqual(['start A', 'term A', 'start T2', 'end T2']);
  });

  it('exits 127 for a CMD that does not exist, 2 without a CMD, and leaves the lock free', async () => {
    const { cli } = suite;
    const missing = await cli.run(['lock', '/nocmd', '--', 'zkts-no-such-command-xyz']);
    expect(missing).toMatchObject({ code: 127, stderr: 'zkts lock: zkts-no-such-command-xyz: command not found\n' });
    const noCmd = await cli.run(['lock', '/nocmd']);
    expect(noCmd.code).toBe(2);
    expect(noCmd.stderr).toMatch(/missing -- CMD/);
    expect(await contenders('/nocmd')).toBe(0);
  });

  it('stops a CMD that ignores SIGTERM with SIGKILL after --kill-after when the lock is lost, and exits 125', async () => {
    const { zk, cli, dir } = suite;
    const marker = join(dir, 'running');
    const script = `trap "" TERM; echo $$ > ${marker}; while :; do sleep 0.05; done`;
    const holder = cli.start(['lock', '/lost', '--kill-after', '700', '--', 'sh', '-c', script]);
    await waitFor(() => (existsSync(marker) ? true : undefined), { timeoutMs: scaled(30_000), what: 'CMD running' });
    const [node] = await zk.getChildren('/lost');
    const deleted = Date.now();
    await zk.delete(`/lost/${node!}`);
    const r = await exited(holder, 30_000);
    expect(r.code).toBe(125);
    expect(Date.now() - deleted).toBeGreaterThanOrEqual(700);
    expect(r.stderr).toMatch(
      /^zkts lock: lock on \/lost lost \(node-deleted: [^\n]*\); stopping CMD: SIGTERM now, SIGKILL after 700 ms\n$/,
    );
    const pid = Number(readFileSync(marker, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
