/**
 * Configuration watching with one persistent recursive watch (ZooKeeper 3.6+).
 *
 * A reader keeps a local copy of every key below /examples/config: it loads the tree once, then follows
 * a single `addWatch(root, { recursive: true })`, which reports every NodeCreated, NodeDataChanged and
 * NodeDeleted below the root and, unlike one-shot watches, never needs re-arming. A writer (another
 * session) adds, changes and removes keys meanwhile. The reader ends once its copy matches the writer's
 * final configuration.
 *
 *   ZK_CONNECT=127.0.0.1:2181 npx tsx examples/config-watch.ts
 */
import { connect, NoNodeError, NodeExistsError, type ZooKeeper } from 'zkts';

const connectString = process.env['ZK_CONNECT'] ?? '127.0.0.1:2181';
const ROOT = '/examples/config';
const decoder = new TextDecoder();

/** Creates a node and its missing parents. */
async function ensure(zk: ZooKeeper, path: string, data?: string): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf('/'));
  if (parent !== '') await ensure(zk, parent);
  try {
    await zk.create(path, data);
  } catch (err) {
    if (!(err instanceof NodeExistsError)) throw err;
  }
}

/** Reads the data of every node below `path` into `into` (keys relative to the root). */
async function load(zk: ZooKeeper, path: string, into: Map<string, string>): Promise<void> {
  for (const child of await zk.getChildren(path)) {
    const childPath = `${path}/${child}`;
    const { data } = await zk.getData(childPath);
    into.set(childPath.slice(ROOT.length + 1), data === null ? '' : decoder.decode(data));
    await load(zk, childPath, into);
  }
}

async function main(): Promise<void> {
  await using writer = await connect(connectString, { sessionTimeout: 10_000 });
  await using reader = await connect(connectString, { sessionTimeout: 10_000 });
  await ensure(writer, ROOT);
  await ensure(writer, `${ROOT}/db`, '');
  await ensure(writer, `${ROOT}/db/url`, 'postgres://db-1/app');

  // Watch first, then load: a change made in between shows up as an event, so nothing is missed.
  const watch = await reader.addWatch(ROOT, { recursive: true });
  const config = new Map<string, string>();
  await load(reader, ROOT, config);
  console.log('loaded:', Object.fromEntries(config));

  const expected = new Map([
    ['db', ''],
    ['db/url', 'postgres://db-2/app'],
    ['feature', ''],
    ['feature/dark-mode', 'on'],
  ]);
  const same = (): boolean => config.size === expected.size && [...expected].every(([k, v]) => config.get(k) === v);

  const writes = (async () => {
    await writer.create(`${ROOT}/feature`);
    await writer.create(`${ROOT}/feature/dark-mode`, 'off');
    await writer.create(`${ROOT}/feature/beta`, 'yes');
    await writer.setData(`${ROOT}/db/url`, 'postgres://db-2/app');
    await writer.setData(`${ROOT}/feature/dark-mode`, 'on');
    await writer.delete(`${ROOT}/feature/beta`);
  })();

  const deadline = setTimeout(() => void watch.remove(), 20_000); // ends the loop below if events stop coming
  try {
    for await (const event of watch) {
      const key = event.path.slice(ROOT.length + 1);
      if (event.type === 'NodeDeleted') {
        config.delete(key);
      } else if (event.type === 'NodeCreated' || event.type === 'NodeDataChanged') {
        try {
          const { data } = await reader.getData(event.path);
          config.set(key, data === null ? '' : decoder.decode(data));
        } catch (err) {
          if (!(err instanceof NoNodeError)) throw err; // deleted since: its NodeDeleted event follows
        }
      }
      if (key !== '') console.log(`${event.type} ${key} -> ${config.has(key) ? JSON.stringify(config.get(key)) : '(gone)'}`);
      if (same()) break; // leaving the loop removes the watch
    }
  } finally {
    clearTimeout(deadline);
  }
  await writes;
  if (!same()) throw new Error(`the copy did not converge: ${JSON.stringify(Object.fromEntries(config))}`);
  console.log('final copy:', Object.fromEntries(config));

  for (const path of ['feature/dark-mode', 'feature', 'db/url', 'db', '']) await writer.delete(`${ROOT}${path === '' ? '' : `/${path}`}`);
  console.log('ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
