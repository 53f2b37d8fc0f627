/**
 * `zkts watch PATH [--recursive]`: a persistent watch (addWatch, ZooKeeper 3.6+) streaming one line per
 * event until Ctrl-C. Without --recursive it reports the node's own changes and its children's list;
 * with it, every change anywhere below.
 */
import type { PersistentWatch } from '../../entry/node.js';
import { type Command, closeWithin } from '../command.js';
import { positionals } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { toJson } from '../output.js';
import { onStopSignal } from '../signals.js';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'stream the events of a node (or a subtree) until Ctrl-C',
  usage: ['watch PATH [--recursive]'],
  details: [
    'Prints one `EventType path` line per event (--json: one {"type","path"} object per line), e.g. NodeDataChanged /a.',
    'Once the watch is set, stderr says "watching PATH". Ctrl-C (or SIGTERM) removes the watch and exits 0;',
    'if the session ends meanwhile, zkts exits 3. Needs a ZooKeeper 3.6+ server (addWatch).',
  ],
  options: [{ name: 'recursive', short: 'R', kind: 'flag', help: 'watch every node below PATH too (persistent recursive)' }],
  connects: true,
  json: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const zk = await ctx.connect();
    let watch: PersistentWatch | undefined;
    let stopped = false;
    const offSignal = onStopSignal(() => {
      stopped = true;
      void watch?.remove().catch(() => undefined);
    });
    try {
      watch = await zk.addWatch(path, { recursive: ctx.args.flags.has('recursive') });
      if (stopped) return 0;
      ctx.err(`watching ${path}${ctx.args.flags.has('recursive') ? ' and everything below it' : ''} (Ctrl-C to stop)`);
      for await (const event of watch) {
        if (event.type === 'None') {
          if (stopped) break;
          throw new CliError(`the session ended (${event.state}); the watch is gone`, ExitCode.CONNECTION);
        }
        ctx.out(ctx.json ? `${toJson({ type: event.type, path: event.path })}\n` : `${event.type} ${event.path}\n`);
      }
      if (!stopped) throw new CliError('the watch ended (the session closed)', ExitCode.CONNECTION);
      return 0;
    } finally {
      offSignal();
      await closeWithin(zk, 5_000);
    }
  },
};
