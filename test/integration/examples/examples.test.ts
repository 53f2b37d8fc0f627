/**
 * The runnable examples in examples/, run as a user runs them: `tsx examples/<name>.ts` as a child
 * process with ZK_CONNECT set (here the test's chroot on the shared server), importing `zkts` by its
 * package name. Node resolves that name inside this package to its own "exports" (dist/), so the package
 * is built first. Each example must end by itself, exit 0 and print what it showed; and none may import
 * the sources or the test harness.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import { describe, expect, test } from '../../support/client-fixture.js';
import { scaled } from '../../support/zookeeper/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = join(REPO, 'examples');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(file: string, connectString: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(EXAMPLES, file)], {
      cwd: REPO,
      env: { ...process.env, ZK_CONNECT: connectString },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${file} did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The examples CI runs, with lines each must print. */
const CASES: Record<string, RegExp[]> = {
  'mutex-fencing.ts': [/counter = 9: no increment was lost/, /the old holder's write was refused: stale fencing token/],
  'leader-election.ts': [
    /crashes: its session closes without resigning/,
    /leaders in turn: candidate-\w -> candidate-\w -> candidate-\w; fencing tokens increase/,
  ],
  'config-watch.ts': [/NodeDataChanged db\/url -> "postgres:\/\/db-2\/app"/, /NodeDeleted feature\/beta -> \(gone\)/, /final copy:/],
  'worker-pool.ts': [/8 jobs done by 3 workers, at most [12] at once \(limit 2\)/],
};

describe('examples', () => {
  beforeAll(() => {
    // `zkts` resolves to dist/ through package.json "exports": build it, as `npm run build` does.
    const build = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  }, scaled(120_000));

  test('every example here is run below, and imports zkts by name only', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && f !== 'hello.ts');
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
    for (const file of files) {
      const source = readFileSync(join(EXAMPLES, file), 'utf8');
      const specifiers = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(
        specifiers.filter((s) => s !== 'zkts' && !s!.startsWith('zkts/')),
        file,
      ).toEqual([]);
    }
  });

  for (const [file, lines] of Object.entries(CASES)) {
    test(`${file} ends by itself with exit code 0`, async ({ env }) => {
      const { code, stdout, stderr } = await runExample(file, env.chroot.connectString, scaled(60_000));
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      for (const line of lines) expect(stdout).toMatch(line);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('ok');
    });
  }

  test('an example exits non-zero when it fails (no server at ZK_CONNECT)', async () => {
    // A port nothing listens on: connect() fails with NoHostsError after its timeout (the session timeout).
    const { code, stderr } = await runExample('config-watch.ts', '127.0.0.1:1', scaled(60_000));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/NoHostsError/);
  });
});
