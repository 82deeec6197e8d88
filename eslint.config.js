// Lint: typescript-eslint recommended plus the project's architectural lines:
// libpcap (auscult's addon, through src/capture/libpcap.ts) only in src/capture, which never sends,
// better-sqlite3 only in src/inventory,
// decoders import only from src/decode, no console (logs go through pino on stderr).
import tseslint from 'typescript-eslint';

const LIBPCAP_ONLY_IN_CAPTURE = { group: ['**/capture/libpcap.js'], message: 'libpcap is used only in src/capture (receive-only).' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'native/pcap-capture/build/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', {
        paths: [{ name: 'better-sqlite3', message: 'SQLite is used only in src/inventory.' }],
        patterns: [LIBPCAP_ONLY_IN_CAPTURE],
      }],
      'no-restricted-properties': ['error', { property: 'send', message: 'auscult is passive: it never transmits on a capture interface.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/inventory/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [LIBPCAP_ONLY_IN_CAPTURE] }] },
  },
  {
    files: ['src/decode/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'better-sqlite3', message: 'decoders are pure' },
          { name: 'node:fs', message: 'decoders are pure: no I/O' },
        ],
        patterns: [LIBPCAP_ONLY_IN_CAPTURE, { group: ['../inventory/*', '../../inventory/*', '../identify/*', '../../identify/*', '../cli/*', '../../cli/*'], message: 'decode/ imports only from decode/ (and the frame/observation types).' }],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
