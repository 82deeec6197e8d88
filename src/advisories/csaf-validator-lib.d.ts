/**
 * \summary Types for the parts of `@secvisogram/csaf-validator-lib` (BSI's CSAF validator, MIT)
 * that auscult calls; the package ships JavaScript with JSDoc and no declaration files.
 */
declare module '@secvisogram/csaf-validator-lib/validateStrict.js' {
  export interface CsafTestMessage { instancePath: string; message: string }
  export interface CsafTestResult { name: string; isValid: boolean; errors: CsafTestMessage[]; warnings: CsafTestMessage[]; infos: CsafTestMessage[] }
  export type CsafTest = (doc: unknown) => unknown;
  export default function validateStrict(tests: readonly CsafTest[], doc: unknown): Promise<{ isValid: boolean; tests: CsafTestResult[] }>;
}
declare module '@secvisogram/csaf-validator-lib/validate.js' {
  import type { CsafTest, CsafTestResult } from '@secvisogram/csaf-validator-lib/validateStrict.js';
  export default function validate(tests: readonly CsafTest[], doc: unknown): Promise<{ isValid: boolean; tests: CsafTestResult[] }>;
}
declare module '@secvisogram/csaf-validator-lib/schemaTests.js' {
  import type { CsafTest } from '@secvisogram/csaf-validator-lib/validateStrict.js';
  export const csaf_2_0: CsafTest;
  export const csaf_2_0_strict: CsafTest;
}
declare module '@secvisogram/csaf-validator-lib/mandatoryTests.js' {
  import type { CsafTest } from '@secvisogram/csaf-validator-lib/validateStrict.js';
  const tests: Record<string, CsafTest>;
  export = tests;
}
