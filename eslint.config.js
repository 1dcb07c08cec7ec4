import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  // test/jobs/fixtures: job files with mistakes on purpose (the command line's error tests).
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'coverage/', 'test/jobs/fixtures/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The engine must stay pure and strictly typed: it runs unchanged in Node and in the worker.
    files: ['src/engine/**/*.ts'],
    languageOptions: { globals: { ...globals.es2021 } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'svelte',
            'svelte/*',
            'idb',
            'comlink',
            'd3',
            'd3-*',
            'node:*',
            '../app/*',
            '../worker/*',
            // Compiling job files is not the engine's business (src/jobs).
            'sucrase',
            'acorn',
            'typescript',
            '@jridgewell/*',
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'indexedDB', 'self', 'postMessage', 'process'],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
