/**
 * \summary The central database URL's form and its redacted form for messages, without `pg`:
 * the config check and every message that names the URL load this, not the client (start-up,
 * issue 14: a replay that reconciles never loads pg).
 */
/** The URL with any password replaced by `***`, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable central URL)';
  }
}

/** Checks the URL's form; a reason string when it is not a postgres URL. */
export function checkCentralUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (expected postgres://user@host:5432/dbname)';
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `scheme ${u.protocol} is not postgres: or postgresql:`;
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'].includes(sslmode)) return `sslmode=${sslmode} is not one of disable, prefer, require, verify-ca, verify-full, no-verify`;
  return undefined;
}
