/**
 * Runs the lock service locally under workerd (through Miniflare, as `wrangler dev` would; wrangler itself
 * needs Node 22), against ZK_CONNECT or a ZooKeeper the test harness starts:
 *
 *   npm run example:workers                  # http://127.0.0.1:8787, Ctrl-C stops it (and the server)
 *   curl -X POST 127.0.0.1:8787/locks/report/acquire -d '{"timeoutMs":5000}'
 *
 * PORT changes the port. The Worker is bundled from src/worker.ts with esbuild; the settings come from
 * wrangler.jsonc (compatibility date, Durable Object class, session timeout).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { startStandalone, type ZkServer } from '../../test/support/zookeeper/index.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

interface WranglerConfig {
  compatibility_date: string;
  vars: Record<string, string>;
}

async function main(): Promise<void> {
  // wrangler.jsonc: JSON with // comments on lines of their own.
  const config = JSON.parse(
    readFileSync(here('./wrangler.jsonc'), 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n'),
  ) as WranglerConfig;
  let server: ZkServer | undefined;
  let connectString = process.env['ZK_CONNECT'];
  if (connectString === undefined) {
    server = await startStandalone();
    connectString = server.connectString;
    console.log(`ZooKeeper started on ${connectString} (set ZK_CONNECT to use your own)`);
  }
  const bundle = await build({
    entryPoints: [here('./src/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['cloudflare:*'],
    write: false,
  });
  const port = Number(process.env['PORT'] ?? '8787');
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundle.outputFiles[0]!.text,
      compatibilityDate: config.compatibility_date,
      durableObjects: { LOCKS: 'LockService' },
      bindings: { ...config.vars, ZK_CONNECT: connectString },
      host: '127.0.0.1',
      port,
    }),
  );
  const url = await mf.ready;
  console.log(`lock service on ${url.origin}; try: curl -X POST ${url.origin}/locks/report/acquire -d '{"timeoutMs":5000}'`);
  const stop = (): void => {
    void (async () => {
      await mf.dispose();
      await server?.destroy();
      process.exit(0);
    })();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
