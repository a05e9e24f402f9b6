// Lint: TypeScript-aware recommended rules. Type errors are caught by `npm run typecheck`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.next*/', '.data*/', 'drizzle/', 'test-results/', '.playwright-out/', 'bench/results/', 'next-env.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through lib/env.ts.' },
      ],
    },
  },
  {
    // Tooling and tests may read the environment directly.
    files: ['lib/env.ts', 'lib/env.test.ts', 'test/**', 'e2e/**', 'scripts/**', 'bench/**', '*.config.*'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
