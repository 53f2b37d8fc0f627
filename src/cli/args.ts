/**
 * Argument parsing for `zkts`: long options (`--name value`, `--name=value`), short aliases (`-R`),
 * boolean flags, and `--`, after which everything is passed on untouched (the CMD of `lock` and `elect`).
 * Options may come before or after positionals. An unknown option is a usage error, never a positional.
 */
import { UsageError } from './exit-codes.js';

export interface OptionSpec {
  /** Long name without dashes, e.g. `session-timeout`. */
  readonly name: string;
  /** One-letter alias without its dash, e.g. `R`. */
  readonly short?: string;
  /** `flag` takes no value; `value` takes one; `list` takes one and may repeat. */
  readonly kind: 'flag' | 'value' | 'list';
  /** Shown in --help. */
  readonly help: string;
  /** Placeholder for the value in --help, e.g. `MS`. */
  readonly arg?: string;
}

export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
  /** What followed `--`, or undefined when there was no `--`. */
  readonly rest: readonly string[] | undefined;
}

interface MutableArgs {
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
  positionals: string[];
  rest: string[] | undefined;
}

function emptyArgs(): MutableArgs {
  return { flags: new Set(), values: new Map(), lists: new Map(), positionals: [], rest: undefined };
}

/**
 * Parses `argv` against `specs`. With `stopAtPositional`, parsing stops at the first positional, which is
 * returned with everything after it untouched in `remaining` (how the command name is found).
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  stopAtPositional = false,
): ParsedArgs & { remaining: readonly string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const out = emptyArgs();
  let i = 0;
  const take = (spec: OptionSpec, inline: string | undefined, shown: string): void => {
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`${shown} takes no value`);
      out.flags.add(spec.name);
      return;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${shown} needs a value${spec.arg ? ` (${spec.arg})` : ''}`);
      value = argv[++i]!;
    }
    if (spec.kind === 'value') {
      if (out.values.has(spec.name)) throw new UsageError(`${shown} given twice`);
      out.values.set(spec.name, value);
    } else {
      const list = out.lists.get(spec.name) ?? [];
      list.push(value);
      out.lists.set(spec.name, list);
    }
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.rest = argv.slice(i + 1);
      return { ...out, remaining: [] };
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (spec === undefined) throw new UsageError(`unknown option --${name}`);
      take(spec, eq === -1 ? undefined : arg.slice(eq + 1), `--${name}`);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      // -R, or a cluster of one-letter flags such as -Ry; a value option must come last in a cluster.
      const letters = arg.slice(1);
      for (let k = 0; k < letters.length; k++) {
        const spec = byShort.get(letters[k]!);
        if (spec === undefined) throw new UsageError(`unknown option -${letters[k]!}`);
        const last = k === letters.length - 1;
        if (spec.kind !== 'flag' && !last) throw new UsageError(`-${letters[k]!} needs a value and must come last in ${arg}`);
        take(spec, undefined, `-${letters[k]!}`);
      }
    } else if (stopAtPositional) {
      out.positionals.push(arg);
      return { ...out, remaining: argv.slice(i + 1) };
    } else {
      out.positionals.push(arg);
    }
  }
  return { ...out, remaining: [] };
}

/** Merges two parses (global options before the command, then the command's own). */
export function mergeArgs(a: ParsedArgs, b: ParsedArgs): ParsedArgs {
  const values = new Map(a.values);
  for (const [k, v] of b.values) {
    if (values.has(k)) throw new UsageError(`--${k} given twice`);
    values.set(k, v);
  }
  const lists = new Map(a.lists);
  for (const [k, v] of b.lists) lists.set(k, [...(lists.get(k) ?? []), ...v]);
  return {
    flags: new Set([...a.flags, ...b.flags]),
    values,
    lists,
    positionals: [...a.positionals, ...b.positionals],
    rest: b.rest ?? a.rest,
  };
}

/** An integer option within [min, max], or `fallback` when absent. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min?: number, max?: number): number;
export function intOption(args: ParsedArgs, name: string, fallback: undefined, min?: number, max?: number): number | undefined;
export function intOption(
  args: ParsedArgs,
  name: string,
  fallback: number | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

/** Exactly `names.length` positionals (the last `optional` of them may be missing). */
export function positionals(args: ParsedArgs, names: readonly string[], optional = 0): (string | undefined)[] {
  const got = args.positionals;
  if (got.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(got[names.length])}`);
  if (got.length < names.length - optional) throw new UsageError(`missing ${names[got.length]!}`);
  return names.map((_, k) => got[k]);
}
