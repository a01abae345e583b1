// Lint: TypeScript rules plus the import boundaries of docs/ARCHITECTURE.md. The folder
// boundaries and the cycle check are enforced by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/*.cjs', 'dist/**', '**/node_modules/**', 'data/**', 'artifacts/**', '**/generated/**', 'bench/results/**', 'apps/web/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', { selector: 'ForInStatement', message: 'for…in walks inherited keys; use for…of over Object.keys/entries.' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in apps/server/src/config.ts (and CLI/test entry points); pass config as a value.' },
      ],
    },
  },
  {
    files: ['apps/server/src/config.ts', 'apps/cli/src/main.ts', 'test/**', 'bench/**', '**/*.test.ts', '**/scripts/**', '**/bench-*.ts', 'vitest.config.ts', 'bin/**', 'apps/web/vite.config.ts', 'apps/web/e2e/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Browser code: TypeScript already checks every name against the DOM library.
    files: ['apps/web/src/**', 'packages/ui/src/**'],
    rules: { 'no-undef': 'off' },
  },
);
