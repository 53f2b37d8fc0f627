/**
 * `zkts elect` as a user runs it, CMD being test/fixtures/cli/hold.mjs (start/term lines in one file):
 * - kill -9 of the leader's zkts: its watchdog stops its CMD at once, its session expires (2 s), and the
 *   standing candidate becomes leader and starts its CMD; SIGTERM then ends that one cleanly.
 * - leadership lost (the leader's node deleted by someone else): CMD is stopped, and zkts stands again
 *   and leads again; with --once it exits 125 instead.
 */
import { describe, expect, it, vi } from 'vitest';
import { cliSuite } from '../../support/cli-suite.js';
import { exited, holdCommand, lineAppears, readLines, stderrMatches } from '../../support/cli.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';

// Every zkts run starts Node with tsx (about a second, several on a loaded machine): roomier bounds.
vi.setConfig({ testTimeout: scaled(180_000) });

const suite = cliSuite('cli-elect');

async function candidates(path: string, n: number): Promise<string[]> {
  return waitFor(
    async () => {
      const children = await suite.zk.getChildren(path).catch(() => [] as string[]);
      return children.length === n ? children.sort((a, b) => a.slice(-10).localeCompare(b.slice(-10))) : undefined;
    },
    { timeoutMs: scaled(30_000), what: `${n} candidates on ${path}` },
  );
}

const events = (): string[] => readLines(suite.file).map((l) => `${l.event} ${l.name}`);

describe('zkts elect', () => {
  it('hands leadership over when the leader zkts is killed with SIGKILL', async () => {
    const { cli, file } = suite;
    const a = cli.start(['elect', '/leader', '--session-timeout', '2000', '--', ...holdCommand(file, 'A', -1)]);
    await lineAppears(file, 'start', 'A', 30_000);
    await stderrMatches(a, /^zkts elect: leader of \/leader \(fencing token \d+\); starting CMD$/m, 10_000);
    const b = cli.start(['elect', '/leader', '--session-timeout', '2000', '--', ...holdCommand(file, 'B', -1)]);
    await candidates('/leader', 2);
    expect(events()).toEqual(['start A']);

    process.kill(a.pid, 'SIGKILL');
    expect((await exited(a, 10_000)).signal).toBe('SIGKILL');
    await lineAppears(file, 'start', 'B', 30_000);
    // A's watchdog stopped A's CMD when zkts died, before B (after A's session expired) took over.
    expect(events()).toEqual(['start A', 'term A', 'start B']);
    const [startA, , startB] = readLines(file);
    expect(BigInt(startB!.token)).toBeGreaterThan(BigInt(startA!.token));

    b.child.kill('SIGTERM');
    const rb = await exited(b, 30_000);
    expect(rb.code).toBe(0); // CMD's own exit code: hold.mjs exits 0 on SIGTERM
    expect(events()).toEqual(['start A', 'term A', 'start B', 'term B']);
    await candidates('/leader', 0);
  });

  it('stops CMD when leadership is lost and stands again; with --once exits 125', async () => {
    const { zk, cli, file } = suite;
    const a = cli.start(['elect', '/again', '--', ...holdCommand(file, 'A', -1)]);
    await lineAppears(file, 'start', 'A', 30_000);
    const [first] = await candidates('/again', 1);
    await zk.delete(`/again/${first!}`);
    await waitFor(() => (readLines(file).filter((l) => l.event === 'start').length === 2 ? true : undefined), {
      timeoutMs: scaled(30_000),
      what: 'A leading again',
    });
    expect(events()).toEqual(['start A', 'term A', 'start A']);
    expect(a.stderr()).toMatch(/leadership of \/again lost \(node-deleted: .*\); stopping CMD/);
    expect(a.stderr()).toMatch(/standing for election on \/again again/);
    a.child.kill('SIGTERM');
    expect((await exited(a, 30_000)).code).toBe(0);

    const once = cli.start(['elect', '/once', '--once', '--', ...holdCommand(file, 'O', -1)]);
    await lineAppears(file, 'start', 'O', 30_000);
    const [node] = await candidates('/once', 1);
    await zk.delete(`/once/${node!}`);
    const r = await exited(once, 30_000);
    expect(r.code).toBe(125);
    expect(
      readLines(file)
        .filter((l) => l.name === 'O')
        .map((l) => l.event),
    ).toEqual(['start', 'term']);
  });
});
