import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import kaihu from './eslint/boundaries.mjs';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'web-angular/.angular/**',
      'web-angular/src/app/graphql/generated.ts',
      'data/**',
      'coverage/**',
      'docs/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // the Angular app runs in the browser
    files: ['web-angular/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.test.ts', '**/testing/**', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // module boundaries (api/src/modules/<m>/index.ts), no server code in the app, a browser-safe domain
    files: ['api/src/**/*.ts', 'web-angular/src/**/*.ts', 'packages/domain/src/**/*.ts'],
    plugins: { kaihu },
    rules: { 'kaihu/boundaries': 'error' },
  },
  // formatting is Prettier's (npm run lint runs prettier --check)
  prettier,
);
