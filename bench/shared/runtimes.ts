/**
 * The runtimes a benchmark's zkts client side can run under (`--runtime node,bun,deno`), and the
 * transport it uses there. Each runtime other than Node runs two variants: its native transport (the
 * `bun` / `deno` entry: Bun.connect, Deno.connect) and its Node-compat path (the `node` entry on the
 * runtime's node:net). Bun and Deno come from devDependencies (node_modules/.bin); each runs the
 * benchmark's TypeScript runner from source (Deno with --sloppy-imports, for the `.js` specifiers of `.ts`
 * files), Node through tsx as the benchmarks always have. One process per runner, so the PID and the
 * runner's process.cpuUsage() are the client's own.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RuntimeName = 'node' | 'bun' | 'deno';
/** `<runtime>` (its native entry) or `<runtime>:node` (the Node entry on that runtime). */
export type RuntimeVariant = 'node' | 'bun' | 'bun:node' | 'deno' | 'deno:node';

export const RUNTIME_NAMES: readonly RuntimeName[] = ['node', 'bun', 'deno'];
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'node_modules', '.bin');

/** `--runtime node,bun,deno`: the runtimes in the order given; throws on an unknown name. */
export function parseRuntimes(value: string): RuntimeName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error('--runtime: empty list');
  for (const n of names) {
    if (!(RUNTIME_NAMES as readonly string[]).includes(n))
      throw new Error(`--runtime: unknown runtime ${n} (known: ${RUNTIME_NAMES.join(', ')})`);
  }
  return [...new Set(names)] as RuntimeName[];
}

/** Node first (the reference), then each other runtime's native transport and its Node-compat path. */
export function variantsOf(runtimes: readonly RuntimeName[]): RuntimeVariant[] {
  const out: RuntimeVariant[] = ['node'];
  for (const r of runtimes) {
    if (r === 'bun') out.push('bun', 'bun:node');
    if (r === 'deno') out.push('deno', 'deno:node');
  }
  return out;
}

export function runtimeOf(variant: RuntimeVariant): RuntimeName {
  return variant.split(':')[0] as RuntimeName;
}

/** The src/entry module the variant's client uses. */
export function entryOf(variant: RuntimeVariant): RuntimeName {
  return (variant.split(':')[1] ?? variant) as RuntimeName;
}

/** The socket API the variant's transport ends in. */
export function transportOf(variant: RuntimeVariant): string {
  const entry = entryOf(variant);
  return entry === 'bun' ? 'Bun.connect' : entry === 'deno' ? 'Deno.connect' : 'node:net';
}

/** argv that runs the TypeScript file `script` under the variant's runtime. */
export function runtimeCommand(variant: RuntimeVariant, script: string): string[] {
  switch (runtimeOf(variant)) {
    case 'bun':
      return [join(BIN, 'bun'), script];
    case 'deno':
      return [join(BIN, 'deno'), 'run', '-A', '--sloppy-imports', script];
    default:
      return [process.execPath, '--import', 'tsx', script];
  }
}

/** `Node v20.20.2`, `Bun 1.4.5`, `Deno 2.9.6`; the runtime's name alone when its binary does not answer. */
export function runtimeVersion(runtime: RuntimeName): string {
  if (runtime === 'node') return `Node ${process.version}`;
  const r = spawnSync(join(BIN, runtime), ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = /(\d+\.\d+\.\d+)/.exec(r.stdout ?? '')?.[1];
  const name = runtime === 'bun' ? 'Bun' : 'Deno';
  return version === undefined ? name : `${name} ${version}`;
}

/** `Bun 1.4.5, Bun.connect` / `Bun 1.4.5, node:net (Node-compat)`. */
export function variantLabel(variant: RuntimeVariant, versions: Partial<Record<RuntimeName, string>>): string {
  const runtime = runtimeOf(variant);
  const compat = runtime !== 'node' && entryOf(variant) === 'node' ? ' (Node-compat)' : '';
  return `${versions[runtime] ?? runtime}, ${transportOf(variant)}${compat}`;
}
