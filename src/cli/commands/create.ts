/**
 * `zkts create PATH [DATA]`: create a node in any mode (persistent, ephemeral, sequential, container,
 * ttl), with `--parents` creating missing ancestors as persistent nodes. Prints the created path
 * (sequential nodes get their counter appended by the server).
 */
import { CreateMode, NodeExistsError, type ZooKeeper } from '../../entry/node.js';
import { type Command, withClient } from '../command.js';
import { type ParsedArgs, intOption, positionals } from '../args.js';
import { DATA_FILE_OPTION, dataInput } from '../data-input.js';
import { UsageError } from '../exit-codes.js';
import { toJson } from '../output.js';

/** --mode names, as CreateMode spells them in lower case with dashes, plus short aliases. */
export const MODES: Readonly<Record<string, number>> = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  sequential: CreateMode.PERSISTENT_SEQUENTIAL,
  'persistent-sequential': CreateMode.PERSISTENT_SEQUENTIAL,
  'ephemeral-sequential': CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
  ttl: CreateMode.PERSISTENT_WITH_TTL,
  'ttl-sequential': CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

const TTL_MODES: ReadonlySet<number> = new Set([CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL]);

/** The CreateMode and TTL the options ask for (--ttl alone implies --mode ttl). */
export function createMode(args: ParsedArgs): { mode: number; ttl: number | undefined } {
  const ttl = intOption(args, 'ttl', undefined, 1, 2 ** 40 - 1);
  const name = args.values.get('mode') ?? (ttl !== undefined ? 'ttl' : 'persistent');
  const mode = MODES[name];
  if (mode === undefined) throw new UsageError(`unknown --mode ${JSON.stringify(name)} (one of: ${Object.keys(MODES).join(', ')})`);
  if (TTL_MODES.has(mode) && ttl === undefined) throw new UsageError(`--mode ${name} needs --ttl MS`);
  if (!TTL_MODES.has(mode) && ttl !== undefined) throw new UsageError(`--ttl applies only to --mode ttl or ttl-sequential`);
  return { mode, ttl };
}

/** Creates every missing ancestor of `path` as an empty persistent node (mkdir -p). */
export async function createParents(zk: ZooKeeper, path: string): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i < parts.length; i++) {
    const ancestor = `/${parts.slice(0, i).join('/')}`;
    try {
      await zk.create(ancestor);
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    }
  }
}

export const createCommand: Command = {
  name: 'create',
  summary: 'create a node',
  usage: ['create PATH [DATA] [--mode MODE] [--ttl MS] [--parents]', 'create PATH --file FILE [...]'],
  details: [
    `MODE is one of ${Object.keys(MODES).join(', ')}. An ephemeral node is deleted when zkts's session ends, that is at once.`,
    'Prints the created path (--json: {"path"}), which for sequential modes ends with the counter the server gave.',
  ],
  options: [
    { name: 'mode', kind: 'value', arg: 'MODE', help: 'creation mode (default persistent)' },
    {
      name: 'ttl',
      kind: 'value',
      arg: 'MS',
      help: 'time to live of a ttl node (implies --mode ttl); the server needs extendedTypesEnabled',
    },
    { name: 'parents', short: 'p', kind: 'flag', help: 'create missing parent nodes (persistent, empty)' },
    DATA_FILE_OPTION,
  ],
  connects: true,
  json: true,
  async run(ctx) {
    const [path, argument] = positionals(ctx.args, ['PATH', 'DATA'], 1) as [string, string | undefined];
    const data = dataInput(ctx.args, argument);
    const { mode, ttl } = createMode(ctx.args);
    const created = await withClient(ctx, async (zk) => {
      if (ctx.args.flags.has('parents')) await createParents(zk, path);
      return zk.create(path, data, { mode, ttl });
    });
    ctx.out(ctx.json ? `${toJson({ path: created })}\n` : `${created}\n`);
    return 0;
  },
};
