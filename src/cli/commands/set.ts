/** `zkts set PATH DATA [--version V]`: replace a node's data (BADVERSION when --version does not match). */
import { type Command, withClient } from '../command.js';
import { intOption, positionals } from '../args.js';
import { DATA_FILE_OPTION, dataInput } from '../data-input.js';
import { UsageError } from '../exit-codes.js';
import { statJson, toJson } from '../output.js';

export const setCommand: Command = {
  name: 'set',
  summary: "replace a node's data",
  usage: ['set PATH DATA [--version V]', 'set PATH --file FILE [--version V]'],
  details: [
    'Prints the new data version (--json: {"path","stat"}). With --version, fails with BADVERSION unless the node has that version.',
  ],
  options: [{ name: 'version', kind: 'value', arg: 'V', help: 'only if the data version is V (-1: any)' }, DATA_FILE_OPTION],
  connects: true,
  json: true,
  async run(ctx) {
    const [path, argument] = positionals(ctx.args, ['PATH', 'DATA'], 1) as [string, string | undefined];
    const data = dataInput(ctx.args, argument);
    if (data === null) throw new UsageError('missing DATA (or --file FILE; use "" for empty data)');
    const version = intOption(ctx.args, 'version', -1, -1, 2 ** 31 - 1);
    const stat = await withClient(ctx, (zk) => zk.setData(path, data, { version }));
    ctx.out(ctx.json ? `${toJson({ path, stat: statJson(stat) })}\n` : `version ${stat.version}\n`);
    return 0;
  },
};
