/** `zkts stat PATH`: a node's Stat (NONODE when it does not exist). */
import { NoNodeError } from '../../entry/node.js';
import { type Command, withClient } from '../command.js';
import { positionals } from '../args.js';
import { statJson, statText, toJson } from '../output.js';

export const statCommand: Command = {
  name: 'stat',
  summary: "print a node's Stat",
  usage: ['stat PATH'],
  details: [
    'zxids are printed in decimal and hex; --json gives zxids as decimal strings and ephemeralOwner as a 0x hex string (null if none).',
  ],
  options: [],
  connects: true,
  json: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const stat = await withClient(ctx, (zk) => zk.exists(path));
    if (stat === null) throw new NoNodeError(`NONODE for ${path}`, { path });
    ctx.out(ctx.json ? `${toJson({ path, stat: statJson(stat) })}\n` : `${statText(stat)}\n`);
    return 0;
  },
};
