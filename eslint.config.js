// Lint: typescript-eslint recommended plus the project's architectural lines:
// `cap` only in src/capture (and never its send), koffi (FFI) only in src/capture/kernel-drops.ts,
// better-sqlite3 only in src/inventory,
// decoders import only from src/decode, no console (logs go through pino on stderr).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', { paths: [
        { name: 'cap', message: 'libpcap is used only in src/capture (receive-only).' },
        { name: 'better-sqlite3', message: 'SQLite is used only in src/inventory.' },
        { name: 'koffi', message: 'the C FFI is used only in src/capture/kernel-drops.ts (getsockopt).' },
      ] }],
      'no-restricted-properties': ['error', { property: 'send', message: 'auscult is passive: it never transmits on a capture interface.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/capture/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [
      { name: 'better-sqlite3', message: 'SQLite is used only in src/inventory.' },
      { name: 'koffi', message: 'the C FFI is used only in src/capture/kernel-drops.ts (getsockopt).' },
    ] }] },
  },
  {
    files: ['src/capture/kernel-drops.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'better-sqlite3', message: 'SQLite is used only in src/inventory.' }] }] },
  },
  {
    files: ['src/inventory/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [
      { name: 'cap', message: 'libpcap is used only in src/capture.' },
      { name: 'koffi', message: 'the C FFI is used only in src/capture/kernel-drops.ts (getsockopt).' },
    ] }] },
  },
  {
    files: ['src/decode/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'cap', message: 'decoders are pure' },
          { name: 'better-sqlite3', message: 'decoders are pure' },
          { name: 'node:fs', message: 'decoders are pure: no I/O' },
          { name: 'koffi', message: 'decoders are pure' },
        ],
        patterns: [{ group: ['../inventory/*', '../../inventory/*', '../identify/*', '../../identify/*', '../cli/*', '../../cli/*'], message: 'decode/ imports only from decode/ (and the frame/observation types).' }],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
