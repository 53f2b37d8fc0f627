/**
 * A first look at zkts: starts a local ZooKeeper through the test harness (or uses ZK_CONNECT), connects,
 * creates a node, watches it, changes it, runs a guarded multi, and cleans up.
 *
 *   npm run example                     # starts and stops its own server
 *   ZK_CONNECT=127.0.0.1:2181 npm run example
 *
 * The lock benchmark (`npm run bench`) becomes the main job once it lands.
 */
import { CreateMode, connect, op } from '../src/entry/node.js';
import { startStandalone, type ZkServer } from '../test/support/zookeeper/index.js';

const decoder = new TextDecoder();

async function main(): Promise<void> {
  let server: ZkServer | undefined;
  let connectString = process.env['ZK_CONNECT'];
  if (connectString === undefined) {
    const t0 = performance.now();
    server = await startStandalone();
    connectString = server.connectString;
    console.log(`started ZooKeeper on ${connectString} in ${Math.round(performance.now() - t0)} ms`);
  }
  try {
    await using zk = await connect(connectString, { sessionTimeout: 10_000 });
    console.log(`session 0x${zk.sessionId.toString(16)}, timeout ${zk.sessionTimeout} ms, state ${zk.state}`);

    const root = `/zkts-hello-${Date.now().toString(36)}`;
    await zk.create(root, 'hello');
    const { data, stat, watch } = await zk.getData(root, { watch: true });
    console.log(`${root} = "${decoder.decode(data!)}" (version ${stat.version}, czxid ${stat.czxid})`);

    await zk.setData(root, 'hello again');
    console.log('watch fired:', await watch);

    const lock = await zk.createWithStat(`${root}/lock-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    console.log(`ephemeral sequential ${lock.path}, fencing token (czxid) ${lock.stat.czxid}`);
    // A guarded write: applied only while the lock node still exists.
    await zk.multi([op.check(lock.path), op.setData(root, 'written under the lock')]);
    console.log(`guarded write done: "${decoder.decode((await zk.getData(root)).data!)}"`);

    const t0 = performance.now();
    const reads = await Promise.all(Array.from({ length: 1000 }, () => zk.exists(root)));
    console.log(`1000 pipelined exists in ${(performance.now() - t0).toFixed(1)} ms (all found: ${reads.every((s) => s !== null)})`);

    await zk.multi([op.delete(lock.path), op.delete(root)]);
    console.log('cleaned up; closing');
  } finally {
    await server?.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
