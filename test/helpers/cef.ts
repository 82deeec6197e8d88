/**
 * \summary Parsers for CEF and RFC 5424 lines, written independently of src/output/shapes.ts (the
 * encoder must not check itself): the RFC 5424 header, structured data and the CEF header split
 * come from nsyslog-parser (npm); the CEF extension is parsed here from the ArcSight CEF
 * specification (rev. 25) because nsyslog-parser's extension splitter ignores `\=` escapes.
 * Spec rules: header fields are separated by unescaped `|` and escape `\|` and `\\`; extension
 * pairs are `key=value` separated by spaces, where a key is the word before an unescaped `=`;
 * values escape `\=`, `\\`, and newlines as `\n` / `\r`.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type NsyslogResult = { type: string; host: string; appName: string; messageid: string; message: string; structuredData: Record<string, string>[] };
const nsyslog = require('nsyslog-parser') as (line: string) => NsyslogResult;
const nsyslogCef = require('nsyslog-parser/cef.js') as { parse: (text: string) => { headers: Record<string, string | undefined> } };

export interface ParsedCef {
  header: { version: string; deviceVendor: string; deviceProduct: string; deviceVersion: string; deviceEventClassId: string; name: string; severity: string };
  ext: Record<string, string>;
}

const unescapeHeader = (s: string): string => s.replace(/\\([\\|])/g, '$1');

function unescapeValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[++i];
      out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
    } else out += c;
  }
  return out;
}

/** Splits a CEF extension into its pairs (values unescaped). */
export function parseExtension(ext: string): Record<string, string> {
  // Positions of unescaped '=' (an '=' preceded by an odd run of backslashes is escaped).
  const eqs: number[] = [];
  for (let i = 0; i < ext.length; i++) {
    if (ext[i] !== '=') continue;
    let bs = 0;
    for (let j = i - 1; j >= 0 && ext[j] === '\\'; j--) bs++;
    if (bs % 2 === 0) eqs.push(i);
  }
  const out: Record<string, string> = {};
  const keys = eqs.map((eq) => {
    const start = ext.lastIndexOf(' ', eq) + 1;
    return { key: ext.slice(start, eq), start, eq };
  });
  keys.forEach((k, i) => {
    const next = keys[i + 1];
    const end = next !== undefined ? next.start - 1 : ext.length;
    out[k.key] = unescapeValue(ext.slice(k.eq + 1, end));
  });
  return out;
}

export function parseCef(line: string): ParsedCef {
  if (!line.startsWith('CEF:')) throw new Error(`not CEF: ${line.slice(0, 40)}`);
  const h = nsyslogCef.parse(line).headers;
  const get = (k: string): string => unescapeHeader(h[k] ?? '');
  return {
    header: {
      version: get('version'), deviceVendor: get('deviceVendor'), deviceProduct: get('deviceProduct'), deviceVersion: get('deviceVersion'),
      deviceEventClassId: get('deviceEventClassID'), name: get('name'), severity: get('severity'),
    },
    ext: parseExtension(h['extension'] ?? ''),
  };
}

export interface ParsedSyslog {
  hostname: string;
  appName: string;
  msgId: string;
  structuredData: Record<string, string>;
  message: string;
}

export function parseSyslog(line: string): ParsedSyslog {
  const r = nsyslog(line);
  if (r.type !== 'RFC5424' && r.type !== 'CEF') throw new Error(`not RFC 5424: ${line.slice(0, 60)}`);
  const sd = { ...(r.structuredData[0] ?? {}) };
  delete sd['$id'];
  return { hostname: r.host, appName: r.appName, msgId: r.messageid, structuredData: sd, message: r.message.replace(/^\[[^\]]*\] /, '') };
}
