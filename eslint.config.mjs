import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/**
 * Zones that let the feature folders under `root` reach each other only through their public files (a
 * feature's module, and the few files named here); files directly under `root` (the app's composition) are
 * not restricted. `features` maps each folder to its public files.
 */
function featureZones(root, features) {
  const names = Object.keys(features);
  return names.map((name) => ({
    target: names.filter((other) => other !== name).map((other) => `${root}/${other}`),
    from: `${root}/${name}`,
    except: features[name].map((file) => `./${file}`),
    message: `another feature's internals: ${root}/${name} makes public only ${features[name].join(', ')}`,
  }));
}

const producerZones = featureZones('core-email-producer/src', {
  accounts: ['accounts.module.ts'],
  audit: ['audit.module.ts'],
  auth: [
    'auth.module.ts',
    'auth.service.ts',
    'auth.schemas.ts',
    'current-user.decorator.ts',
    'jwt-auth.guard.ts',
    'session-user.ts',
    'sessions.repository.ts',
    'throttle-guards.ts',
  ],
  events: ['events.module.ts'],
  mail: ['mail.module.ts'],
  outlook: ['outlook.module.ts', 'outlook-accounts.service.ts'],
  // The user record itself: no module, read by auth and shown by everyone.
  users: ['users.repository.ts', 'user.view.ts'],
  webhooks: ['webhooks.module.ts'],
});

// Real time uses the sync through its module and its named interface (SyncApi), never its internals.
const realtimeUsesSyncApi = {
  target: 'core-email-consumer/src/realtime',
  from: 'core-email-consumer/src/sync',
  except: ['./sync.module.ts', './sync-api.ts'],
  message: 'real time uses the sync through SyncModule and sync/sync-api.ts only',
};

// A feature's components, hooks and types may be shown by another; its api/ and the rest are its own.
const frontendZones = featureZones('core-email-frontend/src/features', {
  audit: ['components', 'types.ts', 'use-mailbox-audit.ts'],
  auth: ['components', 'session.tsx'],
  mail: ['components'],
  outlook: ['components'],
});

const boundaryZones = [...producerZones, realtimeUsesSyncApi, ...frontendZones];

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
      'import/no-restricted-paths': ['error', { zones: boundaryZones }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/dist', '**/dist/**'],
              message: 'import a package entry point (e.g. @core-email/platform/testing), never build output',
            },
          ],
        },
      ],
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
            {
              // This block replaces the general one for these files: its build-output ban is repeated here.
              group: ['**/dist', '**/dist/**'],
              message: 'import a package entry point (e.g. @core-email/platform/testing), never build output',
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
