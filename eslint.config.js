// Lint, with the layer rule of DESIGN §3 enforced: a wrong import fails CI.
//   shared          imports nothing of ours (isomorphic: no Node built-ins either)
//   electron/node   imports shared
//   electron/main   imports electron/node + shared
//   electron/preload imports shared
//   renderer        imports shared only (it runs in a sandboxed browser context)
import tseslint from 'typescript-eslint';

// Bare Node built-in names are matched exactly (as `paths`), so `../crypto/index.js` stays allowed.
const nodeBuiltinNames = [
  'fs',
  'path',
  'crypto',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'worker_threads',
  'buffer',
  'stream',
];
const nodeBuiltins = ['node:*'];

function restrict(patterns, message, paths = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: patterns.map((group) => ({ group: [group], message })),
        paths: paths.map((name) => ({ name, message })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'coverage/**', 'tmp/**', '**/*.js', '!eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts', 'shared/**/*.tsx'],
    rules: restrict(
      ['**/electron/**', '**/renderer/**', ...nodeBuiltins],
      'shared/ is isomorphic: it imports nothing from electron/ or renderer/, and no Node built-ins (DESIGN §3).',
      nodeBuiltinNames,
    ),
  },
  {
    files: ['electron/node/**/*.ts'],
    rules: restrict(
      ['**/electron/main/**', '**/electron/preload/**', '**/renderer/**', 'electron'],
      'electron/node imports shared only, never main, preload, renderer or Electron (DESIGN §3).',
    ),
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: restrict(
      ['**/renderer/**', '**/electron/preload/**'],
      'electron/main imports electron/node and shared only (DESIGN §3).',
    ),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: restrict(
      ['**/electron/node/**', '**/electron/main/**', '**/renderer/**'],
      'electron/preload imports shared only (DESIGN §3).',
    ),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: restrict(
      ['**/electron/**', 'electron', ...nodeBuiltins],
      'renderer talks only to the API contract in shared/ (DESIGN §3).',
      nodeBuiltinNames,
    ),
  },
);
