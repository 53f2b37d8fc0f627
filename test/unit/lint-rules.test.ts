/**
 * The layer rules of README.md (Layout) as eslint.config.js enforces them: each case lints a snippet at a virtual
 * path through ESLint's Node API and compares the exact rule ids and messages, so a rule that stops firing
 * (or fires for the wrong reason) fails here rather than silently letting a boundary erode.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  // The snippets live at virtual paths no tsconfig includes, so the type-aware async rules (which need the
  // type checker) are turned off here; this file checks the import and global rules, which need no types.
  eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { project: null } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/await-thenable': 'off',
      },
    },
  });
});

/** `ruleId: message` for every problem ESLint reports on `code` as if it lived at `filePath`. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

const NO_NODE = 'Only src/transport/node*.ts, src/entry/node.ts and src/cli may import node:* modules; the core uses universal APIs.';
const NO_BARE = 'Zero runtime dependencies: src may import only relative modules.';
const PROTOCOL = 'Layer rule (README.md, Layout): src/protocol is the pure codec and may import only src/protocol and src/errors.ts.';
const SESSION =
  'Layer rule (README.md, Layout): src/session may import only src/session, src/protocol, src/transport/types.ts and src/errors.ts (no concrete transport, client, recipes or entry).';
const RECIPES =
  'Layer rule (README.md, Layout): src/recipes may use only the public API (../index.js) and ../errors.js, never session, protocol or transport internals.';
const TRANSPORT =
  "Layer rule (README.md, Layout): a transport adapter may import only ./types.js, ../errors.js and ./shared/ (no session, client, recipes or another runtime's adapter).";
const SHARED = 'Layer rule (README.md, Layout): src/transport/shared is runtime-neutral: it imports only ../types.js and its own files.';
const ENTRY =
  "Layer rule (README.md, Layout): an entry file wires exactly one adapter: import ../index.js and this runtime's transport, never another runtime's.";
const GLOBAL = 'Not available on every runtime: use Uint8Array/DataView/TextEncoder, setTimeout/queueMicrotask, and inject configuration.';
const ENUM = 'Use an `as const` object with a type alias of the same name instead of `enum`.';

const restricted = (source: string, message: string): string =>
  `no-restricted-imports: '${source}' import is restricted from being used by a pattern. ${message}`;
const imp = (source: string): string => `import { x } from '${source}';\nexport const y = x;\n`;

describe('lint - node:* imports', () => {
  it('lint - node:net in src/session is an error', async () => {
    expect(await problems('src/session/x.ts', `import net from 'node:net';\nexport const y = net;\n`)).toEqual([
      restricted('node:net', NO_NODE),
    ]);
  });

  it('lint - node:net in src/transport/node.ts, src/entry/node.ts and src/cli is fine', async () => {
    const code = `import net from 'node:net';\nexport const y = net;\n`;
    expect(await problems('src/transport/node.ts', code)).toEqual([]);
    expect(await problems('src/transport/node-tls.ts', code)).toEqual([]);
    expect(await problems('src/entry/node.ts', code)).toEqual([]);
    expect(await problems('src/cli/main.ts', code)).toEqual([]);
  });

  it('lint - node:* is an error in protocol, recipes, deno adapter, index and other src files', async () => {
    for (const path of [
      'src/protocol/x.ts',
      'src/protocol/records/x.ts',
      'src/recipes/lock.ts',
      'src/transport/deno.ts',
      'src/index.ts',
      'src/util.ts',
    ]) {
      expect(await problems(path, imp('node:buffer')), path).toEqual([restricted('node:buffer', NO_NODE)]);
    }
  });

  it('lint - tests may import node:*', async () => {
    expect(await problems('test/unit/x.test.ts', imp('node:net'))).toEqual([]);
  });
});

describe('lint - packages (zero runtime dependencies)', () => {
  it('lint - a bare package import is an error anywhere in src, even where node:* is allowed', async () => {
    for (const path of ['src/session/x.ts', 'src/transport/node.ts', 'src/entry/node.ts', 'src/cli/main.ts', 'src/client/zookeeper.ts']) {
      expect(await problems(path, imp('left-pad')), path).toEqual([restricted('left-pad', NO_BARE)]);
    }
  });

  it('lint - cloudflare:sockets only in the workerd adapter', async () => {
    expect(await problems('src/transport/workerd.ts', imp('cloudflare:sockets'))).toEqual([]);
    expect(await problems('src/transport/deno.ts', imp('cloudflare:sockets'))).toEqual([restricted('cloudflare:sockets', NO_BARE)]);
  });

  it('lint - a dynamic import of a runtime module is an error outside the adapters', async () => {
    const code = `export const load = () => import('node:net');\n`;
    expect(await problems('src/session/x.ts', code)).toEqual([
      'no-restricted-syntax: Zero runtime dependencies: src may dynamically import only relative modules (literal specifiers).',
    ]);
    expect(await problems('src/transport/node.ts', code)).toEqual([]);
    expect(await problems('src/session/x.ts', `export const load = () => import('./pending.js');\n`)).toEqual([]);
    expect(await problems('src/transport/workerd.ts', `export const load = () => import('cloudflare:sockets');\n`)).toEqual([]);
  });
});

describe('lint - layer boundaries', () => {
  it('lint - protocol importing session is an error', async () => {
    expect(await problems('src/protocol/x.ts', imp('../session/session.js'))).toEqual([restricted('../session/session.js', PROTOCOL)]);
  });

  it('lint - protocol may import itself and errors at any depth', async () => {
    expect(await problems('src/protocol/x.ts', imp('./jute.js'))).toEqual([]);
    expect(await problems('src/protocol/x.ts', imp('../errors.js'))).toEqual([]);
    expect(await problems('src/protocol/records/data.ts', imp('../jute.js'))).toEqual([]);
    expect(await problems('src/protocol/records/data.ts', imp('../../errors.js'))).toEqual([]);
    expect(await problems('src/protocol/records/data.ts', imp('../../session/state.js'))).toEqual([
      restricted('../../session/state.js', PROTOCOL),
    ]);
    expect(await problems('src/protocol/x.ts', imp('../index.js'))).toEqual([restricted('../index.js', PROTOCOL)]);
  });

  it('lint - session may not import a concrete transport, the client or recipes', async () => {
    for (const source of ['../transport/node.js', '../client.js', '../client/multi.js', '../recipes/lock.js', '../entry/node.js']) {
      expect(await problems('src/session/session.ts', imp(source)), source).toEqual([restricted(source, SESSION)]);
    }
    for (const source of ['./pending.js', '../protocol/jute.js', '../transport/types.js', '../errors.js']) {
      expect(await problems('src/session/session.ts', imp(source)), source).toEqual([]);
    }
  });

  it('lint - recipes use only the public API', async () => {
    expect(await problems('src/recipes/lock.ts', imp('../protocol/jute.js'))).toEqual([restricted('../protocol/jute.js', RECIPES)]);
    expect(await problems('src/recipes/lock.ts', imp('../session/session.js'))).toEqual([restricted('../session/session.js', RECIPES)]);
    expect(await problems('src/recipes/internal/contention.ts', imp('../../transport/types.js'))).toEqual([
      restricted('../../transport/types.js', RECIPES),
    ]);
    for (const [path, source] of [
      ['src/recipes/lock.ts', '../index.js'],
      ['src/recipes/lock.ts', '../errors.js'],
      ['src/recipes/lock.ts', './internal/contention.js'],
      ['src/recipes/internal/contention.ts', '../../index.js'],
      ['src/recipes/internal/contention.ts', '../retry.js'],
    ] as const) {
      expect(await problems(path, imp(source)), `${path} -> ${source}`).toEqual([]);
    }
  });

  it('lint - transport/types.ts imports nothing', async () => {
    expect(await problems('src/transport/types.ts', imp('../errors.js'))).toEqual([
      restricted('../errors.js', 'Layer rule (README.md, Layout): src/transport/types.ts is the interface only and imports nothing.'),
    ]);
  });

  it('lint - an adapter imports only types and errors, never another runtime or the session', async () => {
    expect(await problems('src/transport/node.ts', imp('./types.js'))).toEqual([]);
    expect(await problems('src/transport/node.ts', imp('../errors.js'))).toEqual([]);
    expect(await problems('src/transport/node.ts', imp('../session/session.js'))).toEqual([restricted('../session/session.js', TRANSPORT)]);
    expect(await problems('src/transport/deno.ts', imp('./node.js'))).toEqual([restricted('./node.js', TRANSPORT)]);
    expect(await problems('src/transport/bun.ts', imp('./shared/sink-relay.js'))).toEqual([]);
    expect(await problems('src/transport/bun.ts', imp('./shared/x/y.js'))).toEqual([restricted('./shared/x/y.js', TRANSPORT)]);
  });

  it('lint - transport/shared is runtime-neutral: types and its own files only, no node:*, no runtime global', async () => {
    expect(await problems('src/transport/shared/x.ts', imp('../types.js'))).toEqual([]);
    expect(await problems('src/transport/shared/x.ts', imp('./drain-waiters.js'))).toEqual([]);
    expect(await problems('src/transport/shared/x.ts', imp('../node.js'))).toEqual([restricted('../node.js', SHARED)]);
    expect(await problems('src/transport/shared/x.ts', imp('../../errors.js'))).toEqual([restricted('../../errors.js', SHARED)]);
    expect(await problems('src/transport/shared/x.ts', imp('node:net'))).toEqual([
      restricted('node:net', SHARED),
      restricted('node:net', NO_NODE),
    ]);
    expect(await problems('src/transport/shared/x.ts', 'export const y = Bun.connect;\n')).toEqual([
      "no-restricted-globals: Unexpected use of 'Bun'. Only src/transport/bun*.ts may use the Bun global; the core uses universal APIs and takes a transport.",
    ]);
  });

  it('lint - an entry file wires only its own runtime adapter', async () => {
    expect(await problems('src/entry/node.ts', imp('../transport/node.js'))).toEqual([]);
    expect(await problems('src/entry/deno.ts', imp('../transport/node.js'))).toEqual([restricted('../transport/node.js', ENTRY)]);
    // The Workers entry is named for the platform and wires the workerd family's adapter.
    expect(await problems('src/entry/workers.ts', imp('../transport/workerd.js'))).toEqual([]);
    expect(await problems('src/entry/workers.ts', imp('../transport/node.js'))).toEqual([restricted('../transport/node.js', ENTRY)]);
    expect(await problems('src/entry/workers.ts', imp('cloudflare:sockets'))).toEqual([restricted('cloudflare:sockets', NO_BARE)]);
  });

  it('lint - index.ts stays runtime-neutral', async () => {
    expect(await problems('src/index.ts', imp('./transport/node.js'))).toEqual([
      restricted(
        './transport/node.js',
        'Layer rule (README.md, Layout): src/index.ts is runtime-neutral; the transport is passed in, so it imports no concrete transport or entry.',
      ),
    ]);
    expect(await problems('src/index.ts', imp('./transport/types.js'))).toEqual([]);
  });
});

describe('lint - globals and syntax', () => {
  it('lint - Buffer, process and setImmediate are errors in src', async () => {
    expect(await problems('src/protocol/x.ts', `export const b = Buffer.from('x');\n`)).toEqual([
      `no-restricted-globals: Unexpected use of 'Buffer'. ${GLOBAL}`,
    ]);
    expect(await problems('src/session/x.ts', `export const t = process.env;\nsetImmediate(() => {});\n`)).toEqual([
      `no-restricted-globals: Unexpected use of 'process'. ${GLOBAL}`,
      `no-restricted-globals: Unexpected use of 'setImmediate'. ${GLOBAL}`,
    ]);
    expect(await problems('src/transport/node.ts', `export const b = Buffer.alloc(1);\n`)).toEqual([
      `no-restricted-globals: Unexpected use of 'Buffer'. ${GLOBAL}`,
    ]);
  });

  it('lint - the Bun and Deno globals only in their own adapter', async () => {
    const bun = 'Only src/transport/bun*.ts may use the Bun global; the core uses universal APIs and takes a transport.';
    const deno = 'Only src/transport/deno*.ts may use the Deno global; the core uses universal APIs and takes a transport.';
    const code = `export const b = Bun.connect;\nexport const d = Deno.connect;\nexport const g = [globalThis.Bun, globalThis.Deno];\n`;
    for (const path of ['src/session/x.ts', 'src/client/x.ts', 'src/transport/node.ts', 'src/entry/bun.ts', 'src/entry/deno.ts']) {
      expect(await problems(path, code), path).toEqual([
        `no-restricted-globals: Unexpected use of 'Bun'. ${bun}`,
        `no-restricted-globals: Unexpected use of 'Deno'. ${deno}`,
        `no-restricted-properties: 'globalThis.Bun' is restricted from being used. ${bun}`,
        `no-restricted-properties: 'globalThis.Deno' is restricted from being used. ${deno}`,
      ]);
    }
    expect(await problems('src/transport/bun.ts', code)).toEqual([
      `no-restricted-globals: Unexpected use of 'Deno'. ${deno}`,
      `no-restricted-properties: 'globalThis.Deno' is restricted from being used. ${deno}`,
    ]);
    expect(await problems('src/transport/deno.ts', code)).toEqual([
      `no-restricted-globals: Unexpected use of 'Bun'. ${bun}`,
      `no-restricted-properties: 'globalThis.Bun' is restricted from being used. ${bun}`,
    ]);
    // The adapters keep the base list.
    expect(await problems('src/transport/bun.ts', `export const b = Buffer.alloc(1);\n`)).toEqual([
      `no-restricted-globals: Unexpected use of 'Buffer'. ${GLOBAL}`,
    ]);
  });

  it('lint - Buffer is fine in tests', async () => {
    expect(await problems('test/unit/x.test.ts', `export const b = Buffer.from('x');\n`)).toEqual([]);
  });

  it('lint - enum is an error everywhere', async () => {
    for (const path of ['src/protocol/constants.ts', 'test/unit/x.test.ts', 'bench/x.ts']) {
      expect(await problems(path, `export enum X { A }\n`), path).toEqual([`no-restricted-syntax: ${ENUM}`]);
    }
  });

  it('lint - parameter properties are an error', async () => {
    expect(await problems('src/session/x.ts', `export class A {\n  constructor(private readonly n: number) {}\n}\n`)).toEqual([
      'no-restricted-syntax: Declare the field and assign it in the constructor: parameter properties are not erasable syntax.',
    ]);
  });

  it('lint - unused names are errors unless prefixed with _', async () => {
    expect(
      await problems('src/session/x.ts', `export function f(_a: number, b: number): number {\n  const _c = 1;\n  return b;\n}\n`),
    ).toEqual([]);
    expect(await problems('src/session/x.ts', `export function f(): void {\n  const c = 1;\n}\n`)).toEqual([
      "@typescript-eslint/no-unused-vars: 'c' is assigned a value but never used. Allowed unused vars must match /^_/u.",
    ]);
  });

  it('lint - tests may use non-null assertions', async () => {
    expect(await problems('test/unit/x.test.ts', `const a: number[] = [1];\nexport const b = a[0]!;\n`)).toEqual([]);
  });
});

describe('lint - async correctness (type-aware)', () => {
  it('lint - a floating promise, a promise as a condition and await of a non-promise are errors', async () => {
    // A real project file's path, so the type checker knows it; the text is what gets linted.
    // Under CI=true typescript-eslint infers a single run and types the file as it is on disk, ignoring the text
    // given here; turn that inference off so the checker sees this text.
    const typed = new ESLint({
      cwd: root,
      overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
    });
    const code = [
      'async function work(): Promise<number> { return 1; }',
      'export async function f(): Promise<void> {',
      '  work();',
      '  if (work()) await 1;',
      '}',
      '',
    ].join('\n');
    const [result] = await typed.lintText(code, { filePath: 'src/index.ts' });
    const ids = result!.messages.map((m) => m.ruleId);
    expect(ids).toEqual([
      '@typescript-eslint/no-floating-promises',
      '@typescript-eslint/no-misused-promises',
      '@typescript-eslint/await-thenable',
    ]);
  }, 60_000);
});
