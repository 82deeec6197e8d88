/** auscult's version (package.json), for --version and the product version in events. */
export const VERSION = '0.1.0';
