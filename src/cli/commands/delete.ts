/**
 * `zkts delete PATH [--version V]`, or `--recursive --yes` for a whole subtree (children first; not
 * atomic: a node created meanwhile makes it fail with NOTEMPTY).
 */
import { NoNodeError, type ZooKeeper } from '../../entry/node.js';
import { type Command, withClient } from '../command.js';
import { intOption, positionals } from '../args.js';
import { UsageError } from '../exit-codes.js';
import { toJson } from '../output.js';

/** Deletes `path` and everything below it, deepest first; returns how many nodes it deleted. */
export async function deleteTree(zk: ZooKeeper, path: string): Promise<number> {
  let children: string[];
  try {
    children = await zk.getChildren(path);
  } catch (err) {
    if (err instanceof NoNodeError) return 0;
    throw err;
  }
  let count = 0;
  for (const child of children) count += await deleteTree(zk, path === '/' ? `/${child}` : `${path}/${child}`);
  if (path === '/') return count;
  try {
    await zk.delete(path);
    return count + 1;
  } catch (err) {
    if (err instanceof NoNodeError) return count;
    throw err;
  }
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a node (or a subtree with --recursive --yes)',
  usage: ['delete PATH [--version V]', 'delete PATH --recursive --yes'],
  details: [
    'Without --recursive a node with children fails with NOTEMPTY. --recursive deletes the children first, one',
    'request per node (not atomic), and refuses to run without --yes. Prints nothing (--json: {"path","deleted"}).',
  ],
  options: [
    { name: 'version', kind: 'value', arg: 'V', help: 'only if the data version is V (not with --recursive)' },
    { name: 'recursive', short: 'r', kind: 'flag', help: 'delete the whole subtree' },
    { name: 'yes', short: 'y', kind: 'flag', help: 'confirm --recursive' },
  ],
  connects: true,
  json: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const recursive = ctx.args.flags.has('recursive');
    if (recursive && !ctx.args.flags.has('yes')) {
      throw new UsageError(`refusing to delete ${path} and everything below it without --yes`);
    }
    if (recursive && ctx.args.values.has('version')) throw new UsageError('--version does not go with --recursive');
    const version = intOption(ctx.args, 'version', -1, -1, 2 ** 31 - 1);
    const deleted = await withClient(ctx, async (zk) => {
      if (!recursive) {
        await zk.delete(path, { version });
        return 1;
      }
      // A missing top node is an error, as without --recursive.
      if ((await zk.exists(path)) === null) throw new NoNodeError(`NONODE for ${path}`, { path });
      return deleteTree(zk, path);
    });
    if (ctx.json) ctx.out(`${toJson({ path, deleted })}\n`);
    return 0;
  },
};
