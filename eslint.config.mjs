// Layers point one way: core <- host (node) <- server, azure, cli <- client. The engine in src/core stays pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const editorPackages = ['vscode', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageclient', 'vscode-languageclient/*', 'vscode-languageserver-*'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'e2e-runtime/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: editorPackages, message: 'src/core is the pure engine: no editor or LSP imports.' },
          { group: ['**/server/**', '**/client/**', '**/azure/**', '**/cli/**', '**/host/**'], message: 'src/core may not import from outer layers.' },
        ],
      }],
    },
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts', 'src/azure/**/*.ts', 'src/host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'Only src/client may import the vscode API.' },
          { group: ['**/client/**'], message: 'The client is the outermost layer.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
  {
    // The npm bin is plain CommonJS that loads the bundle.
    files: ['bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
