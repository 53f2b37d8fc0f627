/**
 * A worker pool limited by a Semaphore: however many workers there are, at most two jobs run at once.
 *
 * Jobs are PERSISTENT_SEQUENTIAL nodes under /examples/pool/jobs. Three workers, each with its own
 * session (standing for three machines), take jobs (a worker owns a job once its delete of the job node
 * succeeds) and run each one while holding a lease of the Semaphore, which admits two holders across all
 * sessions: think of two licences of an external service.
 *
 *   ZK_CONNECT=127.0.0.1:2181 npx tsx examples/worker-pool.ts
 */
import { connect, CreateMode, NoNodeError, NodeExistsError, type ZooKeeper } from 'zkts';
import { Semaphore } from 'zkts/recipes';

const connectString = process.env['ZK_CONNECT'] ?? '127.0.0.1:2181';
const POOL = '/examples/pool';
const JOBS = `${POOL}/jobs`;
const SLOTS = 2;
const WORKERS = 3;
const JOB_COUNT = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function ensure(zk: ZooKeeper, path: string): Promise<void> {
  for (const p of ['/examples', POOL, path]) {
    try {
      await zk.create(p);
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    }
  }
}

async function main(): Promise<void> {
  await using producer = await connect(connectString, { sessionTimeout: 10_000 });
  await ensure(producer, JOBS);
  for (let i = 0; i < JOB_COUNT; i++) {
    await producer.create(`${JOBS}/job-`, `job ${i + 1}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
  }

  let running = 0;
  let mostAtOnce = 0;
  const done: string[] = [];

  async function worker(name: string): Promise<void> {
    await using zk = await connect(connectString, { sessionTimeout: 10_000 });
    const slots = new Semaphore(zk, `${POOL}/slots`, SLOTS);
    for (;;) {
      const jobs = (await zk.getChildren(JOBS)).sort();
      if (jobs.length === 0) return;
      for (const job of jobs) {
        let payload: string;
        try {
          const { data } = await zk.getData(`${JOBS}/${job}`);
          await zk.delete(`${JOBS}/${job}`); // the one whose delete succeeds owns the job
          payload = new TextDecoder().decode(data ?? new Uint8Array());
        } catch (err) {
          if (err instanceof NoNodeError) continue; // another worker took it
          throw err;
        }
        await using lease = await slots.acquire({ timeout: 30_000 });
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (running > SLOTS) throw new Error(`${running} jobs at once`);
        console.log(`${name}: ${payload} starts (${running} running, lease token ${lease.fencingToken})`);
        await sleep(50);
        running--;
        done.push(payload);
      }
    }
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(`worker-${i + 1}`)));
  if (done.length !== JOB_COUNT) throw new Error(`${done.length} jobs done, expected ${JOB_COUNT}`);
  console.log(`${done.length} jobs done by ${WORKERS} workers, at most ${mostAtOnce} at once (limit ${SLOTS})`);
  await producer.delete(JOBS);
  console.log('ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
