/** `zkts whoami`: the identities the session is authenticated as (ZooKeeper 3.7+). */
import { type Command, withClient } from '../command.js';
import { positionals } from '../args.js';
import { toJson } from '../output.js';

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'print the identities the session is authenticated as (server 3.7+)',
  usage: ['whoami'],
  details: ['One `scheme user` line per identity, e.g. `ip 127.0.0.1` and, with --auth, `digest alice` (--json: [{"scheme","user"}]).'],
  options: [],
  connects: true,
  json: true,
  async run(ctx) {
    positionals(ctx.args, []);
    const infos = await withClient(ctx, (zk) => zk.whoAmI());
    if (ctx.json) ctx.out(`${toJson(infos.map((i) => ({ scheme: i.authScheme, user: i.user })))}\n`);
    else ctx.out(infos.map((i) => `${i.authScheme} ${i.user}\n`).join(''));
    return 0;
  },
};
