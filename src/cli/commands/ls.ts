/** `zkts ls PATH [-R]`: a node's children, sorted; -R walks the subtree and prints full paths. */
import type { ZooKeeper } from '../../entry/node.js';
import { type Command, withClient } from '../command.js';
import { positionals } from '../args.js';
import { toJson } from '../output.js';

export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Every node below `path` (not `path` itself), depth first, children in sorted order. */
export async function walk(zk: ZooKeeper, path: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (node: string): Promise<void> => {
    const children = (await zk.getChildren(node)).sort();
    for (const child of children) {
      const full = childPath(node, child);
      out.push(full);
      // A node deleted between the listing and the visit is simply not there any more.
      await visit(full).catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'NONODE') throw err;
      });
    }
  };
  await visit(path);
  return out;
}

export const lsCommand: Command = {
  name: 'ls',
  summary: "list a node's children (-R: the whole subtree)",
  usage: ['ls PATH [-R]'],
  details: [
    'Prints one child name per line, sorted; with -R, every path below PATH, depth first.',
    '--json: {"path","children"} (names), or with -R {"path","nodes"} (full paths).',
  ],
  options: [{ name: 'recursive', short: 'R', kind: 'flag', help: 'list the whole subtree, as full paths' }],
  connects: true,
  json: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH'], 1);
    const root = path ?? '/';
    const recursive = ctx.args.flags.has('recursive');
    const names = await withClient(ctx, async (zk) => (recursive ? walk(zk, root) : (await zk.getChildren(root)).sort()));
    if (ctx.json) ctx.out(`${toJson(recursive ? { path: root, nodes: names } : { path: root, children: names })}\n`);
    else if (names.length > 0) ctx.out(`${names.join('\n')}\n`);
    return 0;
  },
};
