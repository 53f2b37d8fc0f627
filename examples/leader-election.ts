/**
 * Leader election: three candidates, one leader at a time, hand-over on resignation and on a crash.
 *
 * Each candidate has its own session and joins the same election. The first leader "crashes" (closes its
 * session without resigning: its node goes with the session); the next one leads, works and resigns; then
 * the last one. The leader does its work under `leadership.signal`, which aborts as soon as leading is no
 * longer certain, and could pass `leadership.fencingToken` to whatever it writes to.
 *
 *   ZK_CONNECT=127.0.0.1:2181 npx tsx examples/leader-election.ts
 */
import { connect } from 'zkts';
import { LeaderElection } from 'zkts/recipes';

const connectString = process.env['ZK_CONNECT'] ?? '127.0.0.1:2181';
const ELECTION = '/examples/leader-election';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

async function main(): Promise<void> {
  const order: string[] = [];
  const tokens: bigint[] = [];
  let leaders = 0;

  async function candidate(name: string): Promise<void> {
    const zk = await connect(connectString, { sessionTimeout: 10_000 });
    try {
      const election = new LeaderElection(zk, ELECTION, { data: name });
      const leadership = await election.join({ timeout: 30_000 });
      leaders++;
      if (leaders !== 1) throw new Error(`${leaders} leaders at once`);
      order.push(name);
      tokens.push(leadership.fencingToken);
      console.log(`${name} leads (fencing token ${leadership.fencingToken})`);
      await sleep(100, leadership.signal); // the leader's work, stopped if leadership is lost
      leaders--;
      if (order.length === 1) {
        console.log(`${name} crashes: its session closes without resigning`);
        await zk.close();
        return;
      }
      console.log(`${name} resigns`);
      await leadership.resign(); // deletes its node: the next candidate leads
    } finally {
      await zk.close();
    }
  }

  await Promise.all(['candidate-a', 'candidate-b', 'candidate-c'].map(candidate));
  if (order.length !== 3) throw new Error(`${order.length} leaders, expected 3`);
  if (!tokens.every((t, i) => i === 0 || t > tokens[i - 1]!)) throw new Error(`fencing tokens not increasing: ${tokens.join(', ')}`);
  console.log(`leaders in turn: ${order.join(' -> ')}; fencing tokens increase`);
  console.log('ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
