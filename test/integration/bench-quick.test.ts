/**
 * The lock benchmark end to end (`npm run bench -- --quick ...`): run as a child process with its own
 * server started through the harness (the default path), or on the shared server with --connect when
 * ZooKeeper comes from ZK_CONNECT; then the result files' shape, every cell measured, zero violations.
 * And the negative control through the same path: a broken lock (it holds as soon as its node exists)
 * must show violations at hold 0 across two processes and fail the run, while the correct lock in the
 * same run shows none.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BenchReport } from '../../bench/lock/report.js';
import { AdminClient, scaled } from '../support/zookeeper/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const IMPLS = ['zkts-mutex', 'zkts-simple-lock', 'nzc-recipe'];

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lock/main.ts', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`bench did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('lock benchmark --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'zkts-bench-quick-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(
    'runs every cell with zero violations and writes the result files',
    async () => {
      const ownServer = inject('zkHarness');
      const args = ['--quick', '--impl', IMPLS.join(','), '--n', '1,4', '--measure', '0.5', '--warmup-cap', '3', '--out', out];
      if (!ownServer) args.push('--connect', inject('zkConnect'));
      const { code, stdout, stderr } = await run(args, scaled(110_000));
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      // Not a TTY here: one line per cell, then the table.
      expect(stdout).toMatch(/\[1\/6\] \S+ N=1 hold 0 ms: \d+ handoffs\/s/);
      expect(stdout).toContain('implementation');

      const files = readdirSync(out);
      const json = files.find((f) => f.endsWith('.json'));
      expect(json).toBeDefined();
      const stem = json!.slice(0, -'.json'.length);
      expect(files.sort()).toEqual([`${stem}-handoffs.svg`, `${stem}-p99.svg`, `${stem}.json`, `${stem}.md`].sort());
      const report = JSON.parse(readFileSync(join(out, json!), 'utf8')) as BenchReport;

      expect(report.schema).toBe('zkts-lock-bench/2');
      expect(report.violations).toBe(0);
      expect(report.settings.ns).toEqual([1, 4]);
      expect(report.settings.holdsMs).toEqual([0]);
      expect(report.implementations.map((i) => i.impl)).toEqual(IMPLS);
      if (ownServer) {
        expect(report.server.kind).toBe('standalone');
        expect(report.server.forceSync).toBe('yes');
      }
      expect(report.floor).not.toBeNull();
      expect(report.floor!.notifyUs.p50).toBeGreaterThan(0);
      expect(report.floor!.ceilingHandoffsPerS['0']).toBeGreaterThan(0);

      expect(report.cells).toHaveLength(6);
      for (const c of report.cells) {
        expect(c.status, `${c.impl} N=${c.n}: ${c.error ?? ''}`).toBe('ok');
        expect(c.violations).toBe(0);
        // From N = 4 the sessions are spread over two processes, so the check crosses processes.
        expect(c.workers).toBe(c.n >= 4 ? 2 : 1);
        expect(c.warmupMs).toBeGreaterThan(0);
        expect(c.acquisitions).toBeGreaterThan(0);
        expect(c.handoffsPerS).toBeGreaterThan(0);
        expect(c.latencyUs!.p50).toBeGreaterThan(0);
        expect(c.latencyUs!.p50).toBeLessThanOrEqual(c.latencyUs!.p99);
        expect(c.latencyUs!.p99).toBeLessThanOrEqual(c.latencyUs!.max);
        expect(c.cpuUsPerAcquisition).toBeGreaterThan(0);
        if (ownServer) {
          // Alone on its own server, idle at both readings: create, a read and the delete per acquisition,
          // and nothing from acquisitions outside the window.
          expect(c.requestsPerAcquisition).toBeGreaterThanOrEqual(2.5);
          if (c.n === 1 && c.impl !== 'zkts-simple-lock') expect(c.requestsPerAcquisition).toBeLessThan(3.2);
        }
      }
      const herd = report.cells.filter((c) => c.impl === 'zkts-simple-lock');
      expect(herd).toHaveLength(2);
      expect(report.summaries).toHaveLength(6);
      expect(report.goals.length).toBeGreaterThanOrEqual(6);

      const md = readFileSync(join(out, `${stem}.md`), 'utf8');
      expect(md).toContain('## Goals');
      expect(md).toContain('#### Hold 0 ms');
      expect(readFileSync(join(out, `${stem}-handoffs.svg`), 'utf8')).toContain('<svg xmlns="http://www.w3.org/2000/svg"');

      if (!ownServer) {
        // --connect: the run's node is gone afterwards.
        const admin = await AdminClient.connect(inject('zkConnect'));
        try {
          expect(report.server.root).toMatch(/\/zkts-bench\/run-/);
          expect(await admin.exists(report.server.root)).toBe(false);
        } finally {
          await admin.close();
        }
      }
    },
    scaled(120_000),
  );

  it(
    'negative control - a broken lock shows violations at hold 0 and fails the run; the correct lock in it shows none',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zkts-bench-broken-'));
      try {
        const args = ['--quick', '--impl', 'broken-lock,zkts-mutex', '--n', '4', '--measure', '0.5', '--warmup-cap', '2', '--out', dir];
        if (!inject('zkHarness')) args.push('--connect', inject('zkConnect'));
        const { code, stdout, stderr } = await run(args, scaled(110_000));
        expect(code, `${stdout}\n${stderr}`).toBe(1);
        expect(stderr).toContain('MUTUAL EXCLUSION VIOLATED');
        const json = readdirSync(dir).find((f) => f.endsWith('.json'))!;
        const report = JSON.parse(readFileSync(join(dir, json), 'utf8')) as BenchReport;
        const broken = report.cells.find((c) => c.impl === 'broken-lock')!;
        const correct = report.cells.find((c) => c.impl === 'zkts-mutex')!;
        expect(broken.status, broken.error).toBe('ok');
        expect(broken.holdMs).toBe(0);
        expect(broken.workers).toBe(2);
        expect(broken.storeOverlaps).toBeGreaterThan(0);
        expect(broken.violations).toBeGreaterThan(0);
        expect(correct.status, correct.error).toBe('ok');
        expect(correct.violations).toBe(0);
        expect(report.violations).toBe(broken.violations);
        expect(report.goals.find((g) => g.goal.startsWith('no mutual-exclusion'))!.met).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    scaled(120_000),
  );
});
