/**
 * The lock benchmark under faults end to end (`npm run bench -- --ensemble 3 --faults-quick`), run as a
 * child process that starts its own ensemble of 3 (members linked through proxies) through the harness:
 * zkts Mutex through a leader kill -9 and a cut-off of one of its two runner processes long enough for
 * that process's sessions to expire. The run must complete with no violation and no orphan node, report
 * both faults with their rates, and hand off again after each of them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { FaultsReport } from '../../bench/lock/faults/report.js';
import { scaled } from '../support/zookeeper/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

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

describe('lock benchmark --faults-quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'zkts-bench-faults-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(
    'zkts Mutex through a leader kill and a runner cut off until its sessions expire: no violation, no orphan, hand-offs after each',
    async ({ skip }) => {
      // The run starts and kills its own servers: only where the harness can start them.
      if (!inject('zkHarness')) skip();
      const { code, stdout, stderr } = await run(
        ['--ensemble', '3', '--faults-quick', '--impl', 'zkts-mutex', '--out', out],
        scaled(80_000),
      );
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      expect(stdout).toMatch(/leader kill -9 \(member \d\)/);
      expect(stdout).toMatch(/worker 1 cut off \(worker 1\)/);
      expect(stdout).toMatch(/zkts-mutex under faults .*: \d+ handoffs\/s/);

      const files = readdirSync(out).sort();
      const json = files.find((f) => f.endsWith('.json'))!;
      const stem = json.slice(0, -'.json'.length);
      expect(files).toEqual([`${stem}-handoffs.svg`, `${stem}.json`, `${stem}.md`]);
      const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as FaultsReport;
      expect(report.schema).toBe('zkts-lock-bench-faults/1');
      expect(report.server.kind).toBe('ensemble of 3');
      expect(report.settings).toMatchObject({ schedule: 'quick', contenders: 8, workers: 2, holdMs: 1, sessionTimeoutMs: 4000 });
      expect(report.violations).toBe(0);

      const [r] = report.results;
      expect(report.results).toHaveLength(1);
      expect(r!.impl).toBe('zkts-mutex');
      expect(r!.status, r!.error).toBe('ok');
      expect(r!.violations).toBe(0);
      expect(r!.orphans).toBe(0);
      expect(r!.skippedFaults).toEqual([]);
      // worker 1's four sessions expired at the ensemble and were replaced.
      expect(r!.sessionsReplaced).toBeGreaterThanOrEqual(1);
      expect(r!.gapAfterLeaderKillMs).not.toBeNull();

      expect(r!.faults.map((f) => f.kind)).toEqual(['leader-kill', 'worker-cutoff']);
      const { bucketMs, counts } = r!.timeline;
      for (const f of r!.faults) {
        expect(f.endMs).toBeGreaterThan(f.startMs);
        expect(f.endMs).toBeLessThan(r!.windowMs);
        expect(f.beforePerS, f.label).toBeGreaterThan(0);
        expect(f.duringPerS, f.label).not.toBeNull();
        expect(f.afterPerS, f.label).toBeGreaterThan(0);
        expect(f.firstHandoffAfterMs, f.label).not.toBeNull();
        // Hand-offs after the fault was over, not just ones granted before it.
        const after = counts.slice(Math.ceil(f.endMs / bucketMs)).reduce((s, c) => s + c, 0);
        expect(after, f.label).toBeGreaterThan(0);
      }
      expect(report.goals.find((g) => g.goal.startsWith('zkts Mutex: 0 violations'))!.met).toBe(true);

      const md = readFileSync(join(out, `${stem}.md`), 'utf8');
      expect(md).toContain('## Per fault');
      expect(md).toMatch(/\| zkts-mutex \| leader kill -9 \| member \d \|/);
      expect(md).toMatch(/\| zkts-mutex \| worker 1 cut off \| worker 1 \|/);
      expect(readFileSync(join(out, `${stem}-handoffs.svg`), 'utf8')).toContain('<g class="band" data-label="leader kill -9">');
    },
    scaled(90_000),
  );
});
