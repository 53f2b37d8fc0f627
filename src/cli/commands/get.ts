/** `zkts get PATH`: a node's data, printed safely (see output.ts), raw with --raw, or as JSON. */
import { type Command, withClient } from '../command.js';
import { positionals } from '../args.js';
import { jsonData, showData, statJson, statText, toJson } from '../output.js';

export const getCommand: Command = {
  name: 'get',
  summary: "print a node's data",
  usage: ['get PATH [--raw | --stat | --json]'],
  details: [
    'UTF-8 data is printed as it is, with a newline added. Data with terminal control characters is printed',
    'with them escaped (\\x1b), and data that is not UTF-8 as base64; a note on stderr says so. --raw writes',
    'the bytes exactly (no newline). --json prints {"path","data","encoding","stat"}: data is a string',
    '("encoding":"utf8") or base64 ("encoding":"base64"), or null for a node without data.',
  ],
  options: [
    { name: 'raw', kind: 'flag', help: 'write the data bytes as they are, nothing added' },
    { name: 'stat', kind: 'flag', help: "also print the node's Stat after the data" },
  ],
  connects: true,
  json: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const { data, stat } = await withClient(ctx, (zk) => zk.getData(path));
    if (ctx.json) {
      ctx.out(`${toJson({ path, ...jsonData(data), stat: statJson(stat) })}\n`);
      return 0;
    }
    if (ctx.args.flags.has('raw')) {
      if (data !== null) ctx.outBytes(data);
      return 0;
    }
    if (data !== null && data.length > 0) {
      const shown = showData(data);
      if (shown.encoding === 'base64')
        ctx.err(`note: ${path} holds ${data.length} bytes that are not UTF-8: shown as base64 (--raw writes them as they are)`);
      if (shown.encoding === 'escaped')
        ctx.err(`note: ${path} holds control characters: shown escaped (--raw writes the bytes as they are)`);
      ctx.out(shown.text.endsWith('\n') ? shown.text : `${shown.text}\n`);
    }
    if (ctx.args.flags.has('stat')) ctx.out(`${statText(stat)}\n`);
    return 0;
  },
};
