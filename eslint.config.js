// Lint rules for the whole repository, run by `npm test` (`npm run lint`). Type-aware, so
// floating promises (a dropped send is a lost sale) are caught.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'build-tsc/',
      'test-results/',
      'playwright-report/',
      '.tmp/',
      'bench/results/',
      'bench/baseline/',
      // Checked by their own runtimes (Bun, Deno, Next.js's build), with their own globals.
      'test/runtimes/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'demo/public/*.js'] },
      },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['demo/public/**/*.js', 'bench/pages/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        location: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        analytics: 'readonly',
      },
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Shared by the browser plugin, the relay and the analytics-node plugin, never copied: the field
    // tables, the pure mapping and the rules around it run on every platform, so they touch no
    // browser global, no storage and no Node built-in.
    files: [
      'src/click-id/cookie-names.ts',
      'src/fields.ts',
      'src/fields/**/*.ts',
      'src/impact-api.ts',
      'src/settings.ts',
      'src/types.ts',
      'src/version.ts',
      'src/log.ts',
      'src/delivery/retry.ts',
      'src/plugin/consent.ts',
      'src/plugin/conversion-fields.ts',
      'src/plugin/field-values.ts',
      'src/plugin/fit-conversion.ts',
      'src/plugin/hash-email.ts',
      'src/plugin/identity-fields.ts',
      'src/plugin/values.ts',
      'src/server/action-changes.ts',
    ],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'process', 'Buffer'].map(
          (name) => ({ name, message: 'shared code is platform-free: pass what it needs in' }),
        ),
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'js-cookie'], message: 'shared code is platform-free' }] },
      ],
    },
  },
)
