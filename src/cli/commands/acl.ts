/** `zkts acl get PATH` and `zkts acl set PATH ACL...`: ACL entries as `scheme:id:perms`. */
import { type Command, withClient } from '../command.js';
import { intOption } from '../args.js';
import { UsageError } from '../exit-codes.js';
import { aclJson, aclText, parseAcl, toJson } from '../output.js';

export const aclCommand: Command = {
  name: 'acl',
  summary: "print or replace a node's ACL",
  usage: ['acl get PATH', 'acl set PATH ACL [ACL...] [--version V]'],
  details: [
    'An ACL entry is scheme:id:perms, perms being letters of cdrwa (create, delete, read, write, admin):',
    "world:anyone:cdrwa, auth::cdrwa (the session's own ids), digest:USER:BASE64HASH:rw, ip:10.0.0.0/8:r.",
    '`acl get` prints one entry per line (--json: {"path","acl":[{"scheme","id","perms","mask"}],"aclVersion"});',
    '`acl set` replaces the whole list (with --version: only if the ACL version is V) and prints the new ACL version.',
  ],
  options: [{ name: 'version', kind: 'value', arg: 'V', help: 'acl set: only if the ACL version is V (-1: any)' }],
  connects: true,
  json: true,
  async run(ctx) {
    const [action, path, ...entries] = ctx.args.positionals;
    if (action !== 'get' && action !== 'set') throw new UsageError('acl needs get or set');
    if (path === undefined) throw new UsageError('missing PATH');
    if (action === 'get') {
      if (entries.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(entries[0])}`);
      const { acl, stat } = await withClient(ctx, (zk) => zk.getACL(path));
      if (ctx.json) ctx.out(`${toJson({ path, acl: acl.map(aclJson), aclVersion: stat.aversion })}\n`);
      else ctx.out(acl.map((a) => `${aclText(a)}\n`).join(''));
      return 0;
    }
    if (entries.length === 0) throw new UsageError('acl set needs at least one ACL entry (scheme:id:perms)');
    const acl = entries.map((text) => {
      const parsed = parseAcl(text);
      if (parsed === undefined) throw new UsageError(`bad ACL entry ${JSON.stringify(text)}: expected scheme:id:perms, perms of cdrwa`);
      return parsed;
    });
    const version = intOption(ctx.args, 'version', -1, -1, 2 ** 31 - 1);
    const stat = await withClient(ctx, (zk) => zk.setACL(path, acl, { version }));
    ctx.out(ctx.json ? `${toJson({ path, aclVersion: stat.aversion })}\n` : `aclVersion ${stat.aversion}\n`);
    return 0;
  },
};
