// eslint over src/, test/ and scripts/ with typescript-eslint's type-checked rules (npm run lint).
// Types come from the two check projects: tsconfig.check.json (src/ and the .ts tests) and
// tsconfig.check-js.json (the .mjs tests, fixtures and scripts, type-checked as JavaScript).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // examples/: projects of their own (own dependencies, installed and tested by .ci/run).
  { ignores: ['dist/', 'build*/', 'docs/', 'prebuilds/', 'node_modules/', 'native/', '.bench-base/', 'coverage/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        project: ['./tsconfig.check.json', './tsconfig.check-js.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore marks a binding kept on purpose: a `using` whose disposal is the point.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Passing on what a catch caught (unknown to TypeScript) is allowed; making anything else
      // a rejection or a throw still needs an Error.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Plain JavaScript has no annotations, so values from JSON, child processes and untyped
    // callbacks are `any` by nature there; the no-unsafe-* rules would flag each use.
    files: ['**/*.mjs', '**/*.js'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // A test's observations are JSON from another process (a fixture's report, `--json` output,
    // a child's stdout), typed `any` where they are parsed and checked field by field by expect(),
    // whose matchers take unknown values; typing every report twice would test nothing more.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
