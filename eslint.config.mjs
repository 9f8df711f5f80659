import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/test-dist/**',
      '**/node_modules/**',
      '.data/**',
      'scripts/stack/kafka/**',
      'core-email-frontend/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': {
        typescript: {
          project: ['*/tsconfig.json', 'packages/*/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        },
        node: true,
      },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // The consumer's other features (real time, the audit, the workers) use the sync only through what its
    // module exports: SyncApi, and the sync_email handler the workers register. Never its internals.
    files: ['core-email-consumer/src/**/*.ts'],
    ignores: ['core-email-consumer/src/sync/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/sync/*',
                '!**/sync/sync-api',
                '!**/sync/sync.module',
                '!**/sync/sync-email.handler',
              ],
              message: 'use the sync through SyncApi (src/sync/sync-api.ts)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{js,mjs}', 'graph-emulator/src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
