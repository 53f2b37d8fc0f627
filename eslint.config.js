// @ts-check
/**
 * Lint configuration. Besides typescript-eslint's recommended rules it enforces the module boundaries of
 * README.md (Layout) mechanically (as node-mongodb-native does with no-restricted-imports per folder):
 *
 * - protocol/*           imports only protocol/* and errors.ts
 * - transport/types.ts   imports nothing
 * - transport/<rt>.ts    imports only ./types.js, ../errors.js, ./shared/* (and its own runtime module)
 * - transport/shared/*   imports only ../types.js and shared/* (runtime-neutral parts every adapter uses)
 * - session/*            imports only session/*, protocol/*, transport/types.ts, errors.ts
 * - client(.ts|/*)       imports only client, session, protocol, transport/types.ts, errors.ts
 * - recipes/*            imports only the public API (index.ts) and errors.ts
 * - entry/<rt>.ts        imports index.ts and that runtime's adapter, never another runtime's (entry/workers.ts: workerd)
 * - all of src           no node:* (except transport/node*.ts, entry/node.ts, cli/) and no packages at all
 * - all of src           no Bun / Deno global (except transport/bun*.ts / transport/deno*.ts)
 *
 * ESLint's no-restricted-imports sees only the import string, not the importing file, so "outside this
 * layer" is written per directory depth: a file N directories below src/ reaches src/ through `../` × N.
 * In flat config a later block's options replace an earlier block's for the same rule, so every block
 * below carries its complete pattern list. test/unit/lint-rules.test.ts checks that the rules fire.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SOURCES = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', '*.ts'];
/** Directory depths below src/ that get layer rules (src/protocol/records/x.ts is depth 2). */
const DEPTHS = [1, 2, 3, 4];
/** Runtime families that have (or may get) an adapter in src/transport and an entry in src/entry. */
const RUNTIMES = ['node', 'deno', 'workerd', 'bun'];

const NO_NODE = {
  regex: '^node:',
  message: 'Only src/transport/node*.ts, src/entry/node.ts and src/cli may import node:* modules; the core uses universal APIs.',
};
/** Anything not relative: packages, absolute paths, and runtime schemes such as bun: or cloudflare:. */
const noBare = (allowed = '') => ({
  regex: `^(?!\\.{1,2}/|node:${allowed ? `|${allowed}` : ''})`,
  message: 'Zero runtime dependencies: src may import only relative modules.',
});
const NO_BARE = noBare();

/** `^(../){depth}` followed by anything but the allowed src-relative remainders. */
const leaving = (depth, allowed) => `^(?:\\.\\./){${depth}}(?!${allowed.join('|')})`;

const LAYERS = {
  protocol: {
    allowed: ['protocol/', 'errors\\.js$'],
    message: 'Layer rule (README.md, Layout): src/protocol is the pure codec and may import only src/protocol and src/errors.ts.',
  },
  session: {
    allowed: ['session/', 'protocol/', 'transport/types\\.js$', 'errors\\.js$'],
    message:
      'Layer rule (README.md, Layout): src/session may import only src/session, src/protocol, src/transport/types.ts and src/errors.ts (no concrete transport, client, recipes or entry).',
  },
  client: {
    allowed: ['client/', 'session/', 'protocol/', 'transport/types\\.js$', 'errors\\.js$'],
    message:
      'Layer rule (README.md, Layout): the client may import only src/client, src/session, src/protocol, src/transport/types.ts and src/errors.ts (no concrete transport or recipes).',
  },
  recipes: {
    allowed: ['recipes/', 'index\\.js$', 'errors\\.js$'],
    message:
      'Layer rule (README.md, Layout): src/recipes may use only the public API (../index.js) and ../errors.js, never session, protocol or transport internals.',
  },
};

/** One block per layer and depth: its layer pattern plus the src-wide node:/package bans. */
const layerBlocks = Object.entries(LAYERS).flatMap(([layer, { allowed, message }]) =>
  DEPTHS.map((depth) => ({
    name: `zkts/layers/${layer}/depth-${depth}`,
    files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: leaving(depth, allowed), message }, NO_NODE, NO_BARE] }],
    },
  })),
);

const TRANSPORT_MESSAGE =
  "Layer rule (README.md, Layout): a transport adapter may import only ./types.js, ../errors.js and ./shared/ (no session, client, recipes or another runtime's adapter).";
/** A transport adapter for runtime `rt`: relative imports other than types, errors and its own family are out. */
const transportBlock = (files, family, extra) => ({
  name: `zkts/layers/transport/${family ?? 'other'}`,
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(?!\\./types\\.js$|\\.\\./errors\\.js$|\\./shared/[^/]*\\.js$${family ? `|\\./${family}[^/]*\\.js$` : ''})\\.`,
            message: TRANSPORT_MESSAGE,
          },
          ...extra,
        ],
      },
    ],
  },
});

const ENTRY_MESSAGE =
  "Layer rule (README.md, Layout): an entry file wires exactly one adapter: import ../index.js and this runtime's transport, never another runtime's.";
/** Entry file name → the runtime family of the adapter it wires (the Workers entry is named for the platform). */
const ENTRIES = { node: 'node', deno: 'deno', bun: 'bun', workers: 'workerd' };
const entryBlock = ([entry, rt]) => ({
  name: `zkts/layers/entry/${entry}`,
  files: [`src/entry/${entry}.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: `^\\.\\./transport/(?!types\\.js$|${rt}[^/]*\\.js$)`, message: ENTRY_MESSAGE },
          ...(rt === 'node' ? [] : [NO_NODE]),
          NO_BARE,
        ],
      },
    ],
  },
});

const RESTRICTED_GLOBAL_MESSAGE =
  'Not available on every runtime: use Uint8Array/DataView/TextEncoder, setTimeout/queueMicrotask, and inject configuration.';
const RESTRICTED_GLOBALS = ['Buffer', 'process', 'setImmediate', 'clearImmediate', 'require', '__dirname', '__filename', 'global'];
/** A runtime's own global, allowed only in that runtime's adapter (src/transport/<rt>*.ts). */
const RUNTIME_GLOBALS = { bun: 'Bun', deno: 'Deno' };
const runtimeGlobalMessage = (rt) =>
  `Only src/transport/${rt}*.ts may use the ${RUNTIME_GLOBALS[rt]} global; the core uses universal APIs and takes a transport.`;
/** no-restricted-globals and no-restricted-properties for src, with `ownRuntime`'s global allowed. */
const globalRules = (ownRuntime) => {
  const runtimes = Object.keys(RUNTIME_GLOBALS).filter((rt) => rt !== ownRuntime);
  return {
    'no-restricted-globals': [
      'error',
      ...RESTRICTED_GLOBALS.map((name) => ({ name, message: RESTRICTED_GLOBAL_MESSAGE })),
      ...runtimes.map((rt) => ({ name: RUNTIME_GLOBALS[rt], message: runtimeGlobalMessage(rt) })),
    ],
    'no-restricted-properties': [
      'error',
      ...['Buffer', 'process', 'setImmediate'].map((property) => ({ object: 'globalThis', property, message: RESTRICTED_GLOBAL_MESSAGE })),
      ...runtimes.map((rt) => ({ object: 'globalThis', property: RUNTIME_GLOBALS[rt], message: runtimeGlobalMessage(rt) })),
    ],
  };
};

const NO_ENUM = {
  selector: 'TSEnumDeclaration',
  message: 'Use an `as const` object with a type alias of the same name instead of `enum`.',
};
const NO_PARAMETER_PROPERTY = {
  selector: 'TSParameterProperty',
  message: 'Declare the field and assign it in the constructor: parameter properties are not erasable syntax.',
};
/** no-restricted-imports does not look at import(); ban dynamic imports of anything but relative modules. */
const noDynamicImport = (allowed = '') => ({
  selector: `ImportExpression:not([source.type='Literal'][source.value=/^(\\.{1,2}\\/${allowed ? `|${allowed}` : ''})/])`,
  message: 'Zero runtime dependencies: src may dynamically import only relative modules (literal specifiers).',
});

export default defineConfig([
  {
    name: 'zkts/ignores',
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '.zk-tmp/**'],
  },
  {
    name: 'zkts/config-files',
    files: ['eslint.config.js'],
    extends: [js.configs.recommended],
  },
  {
    name: 'zkts/typescript',
    files: SOURCES,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      'no-restricted-syntax': ['error', NO_ENUM, NO_PARAMETER_PROPERTY],
    },
  },

  // ---- async correctness (type-aware: the rules need the type checker) ----
  {
    name: 'zkts/async',
    files: SOURCES,
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits or catches loses its rejection (an unhandled rejection ends Node); mark
      // deliberate fire-and-forget with `void`.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected is always truthy, or its rejection escapes.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },

  // ---- src: portable core ----
  {
    name: 'zkts/src',
    files: ['src/**/*.ts'],
    rules: {
      // Non-null assertions stay allowed: with noUncheckedIndexedAccess, `bytes[i]!` after a bounds check is the
      // codec's idiom (20 uses in jute.ts/frame.ts), and `?? 0` would hide real bugs instead.
      ...globalRules(undefined),
      'no-restricted-syntax': ['error', NO_ENUM, NO_PARAMETER_PROPERTY, noDynamicImport()],
      // Default for src files no narrower block below claims (src/*.ts other than index.ts and errors.ts).
      'no-restricted-imports': ['error', { patterns: [NO_NODE, NO_BARE] }],
    },
  },
  {
    name: 'zkts/src/runtime-modules',
    files: ['src/transport/node*.ts', 'src/entry/node.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', NO_ENUM, NO_PARAMETER_PROPERTY, noDynamicImport('node:')] },
  },
  ...Object.keys(RUNTIME_GLOBALS).map((rt) => ({
    name: `zkts/src/${rt}-global`,
    files: [`src/transport/${rt}*.ts`],
    rules: globalRules(rt),
  })),
  {
    name: 'zkts/src/workerd',
    files: ['src/transport/workerd*.ts'],
    rules: { 'no-restricted-syntax': ['error', NO_ENUM, NO_PARAMETER_PROPERTY, noDynamicImport('cloudflare:sockets$')] },
  },
  {
    name: 'zkts/layers/errors',
    files: ['src/errors.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^', message: 'src/errors.ts is a leaf module: it imports nothing.' }] }],
    },
  },
  {
    name: 'zkts/layers/index',
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./(?:transport/(?!types\\.js$)|entry/)',
              message:
                'Layer rule (README.md, Layout): src/index.ts is runtime-neutral; the transport is passed in, so it imports no concrete transport or entry.',
            },
            NO_NODE,
            NO_BARE,
          ],
        },
      ],
    },
  },
  ...layerBlocks,
  // Transport: types.ts first as the strictest; runtime adapters after, each narrower than the generic one.
  transportBlock(['src/transport/*.ts'], undefined, [NO_NODE, NO_BARE]),
  ...RUNTIMES.map((rt) =>
    transportBlock(
      [`src/transport/${rt}*.ts`],
      rt,
      rt === 'node' ? [NO_BARE] : rt === 'workerd' ? [NO_NODE, noBare('cloudflare:sockets$')] : [NO_NODE, NO_BARE],
    ),
  ),
  {
    name: 'zkts/layers/transport/shared',
    files: ['src/transport/shared/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.\\./types\\.js$|\\./[^/]*\\.js$)',
              message:
                'Layer rule (README.md, Layout): src/transport/shared is runtime-neutral: it imports only ../types.js and its own files.',
            },
            NO_NODE,
            NO_BARE,
          ],
        },
      ],
    },
  },
  {
    name: 'zkts/layers/transport/types',
    files: ['src/transport/types.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^', message: 'Layer rule (README.md, Layout): src/transport/types.ts is the interface only and imports nothing.' },
          ],
        },
      ],
    },
  },
  ...Object.entries(ENTRIES).map(entryBlock),
  {
    name: 'zkts/src/cli',
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_BARE] }] },
  },

  // ---- tests, benchmarks, examples ----
  {
    name: 'zkts/tests',
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
]);
