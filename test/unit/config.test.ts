import { KNOWN_FRAME_LIMITS } from '../../src/capture/known-frames.js';
import { REMOTE_SESSION_LIMITS } from '../../src/observe/remote-sessions.js';
import { PROFILE_LIMITS } from '../../src/observe/comm-profile.js';
import { DNS_LIMITS } from '../../src/protocols/dns/dns.js';
import { TLS_LIMITS } from '../../src/protocols/tls/tls-client-hello.js';
import { SSH_LIMITS } from '../../src/protocols/ssh/ssh.js';
import { TIMESTAMP_LIMITS } from '../../src/capture/timestamps.js';
import { STREAM_LIMITS } from '../../src/decode/stream/stream-decoder.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConfig, checkConfigFile, DEFAULT_BPF_FILTER, isLoopbackHost, loadConfig, parseListenAddress, runtimeLimits,
} from '../../src/config.js';
import { CDP_LIMITS } from '../../src/protocols/cdp/cdp.js';
import { DHCP_LIMITS } from '../../src/protocols/dhcp/dhcp.js';
import { LLDP_LIMITS } from '../../src/protocols/lldp/lldp.js';
import { MDNS_LIMITS } from '../../src/protocols/mdns/mdns.js';
import { ETHERNET_LIMITS } from '../../src/decode/link/ethernet.js';
import { TUNNEL_LIMITS } from '../../src/decode/frame.js';
import { AuscultError } from '../../src/errors.js';
import { MODEL_LIMITS } from '../../src/device/device-model.js';
import { LOCATION_LIMITS } from '../../src/identify/location.js';
import { BINDER_LIMITS } from '../../src/observe/address-binder.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-config-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const NO_ENV = { env: {} };

/** The single error message loading `text` gives, as the user sees it. */
function errorOf(text: string, options: Parameters<typeof checkConfig>[2] = NO_ENV): string {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, text);
  try {
    loadConfig(file, options);
  } catch (err) {
    expect(err).toBeInstanceOf(AuscultError);
    const e = err as AuscultError;
    expect(e.exitCode).toBe(78);
    return e.message.replace(file, 'F');
  }
  throw new Error('expected a config error');
}

describe('config: defaults', () => {
  it('an empty file, an empty document and no file all give every default', () => {
    const none = checkConfig(null, null, NO_ENV).config;
    expect(none).not.toBeNull();
    expect(checkConfig('', 'f.yaml', NO_ENV).config).toEqual(none);
    expect(checkConfig('# only a comment\n', 'f.yaml', NO_ENV).config).toEqual(none);
    expect(none?.capture).toMatchObject({ interface: null, snaplen: 65535, promiscuous: true, bpf_filter: DEFAULT_BPF_FILTER, user: null });
    expect(none?.metrics.listen).toBe('127.0.0.1:9464');
    expect(none?.database.path).toBe('./auscult.db');
    expect(none?.inventory.flush_interval_ms).toBe(5000);
  });

  it('the limits default to the values the decoders and the model export', () => {
    const limits = runtimeLimits(checkConfig(null, null, NO_ENV).config!);
    expect(limits).toEqual({
      streams: STREAM_LIMITS, timestamps: TIMESTAMP_LIMITS,
      model: MODEL_LIMITS, binder: BINDER_LIMITS, location: LOCATION_LIMITS, ethernet: ETHERNET_LIMITS, tunnels: TUNNEL_LIMITS,
      dhcp: { ...DHCP_LIMITS }, lldp: { ...LLDP_LIMITS }, cdp: { ...CDP_LIMITS }, mdns: { ...MDNS_LIMITS },
      dns: { ...DNS_LIMITS }, tls: { ...TLS_LIMITS }, ssh: { ...SSH_LIMITS },
      knownFrames: KNOWN_FRAME_LIMITS,
      remote: { ...REMOTE_SESSION_LIMITS },
      profile: { ...PROFILE_LIMITS },
    });
  });

  it('a partial section keeps the defaults of the keys it omits', () => {
    const c = checkConfig('capture:\n  interface: eth1\nlimits:\n  lldp:\n    max_tlvs: 4\n', 'f', NO_ENV).config!;
    expect(c.capture.interface).toBe('eth1');
    expect(c.capture.snaplen).toBe(65535);
    expect(c.limits.lldp).toEqual({ max_tlvs: 4, max_text: LLDP_LIMITS.maxText });
  });
});

describe('config: every error names file:line:col and the key', () => {
  it('an unknown top-level key points at the key', () => {
    expect(errorOf('capture:\n  interface: eth1\ncaptur:\n  snaplen: 3\n')).toBe('F:3:1: captur: unknown key');
  });

  it('an unknown nested key points at the key', () => {
    expect(errorOf('capture:\n  interface: eth1\n  snaplenn: 100\n')).toBe('F:3:3: capture.snaplenn: unknown key');
    expect(errorOf('limits:\n  dhcp:\n    max_option: 4\n')).toBe('F:3:5: limits.dhcp.max_option: unknown key');
  });

  it('a wrong type points at the value', () => {
    expect(errorOf('capture:\n  snaplen: lots\n')).toMatch(/^F:2:12: capture\.snaplen: Invalid input: expected number, received string$/);
    expect(errorOf('metrics:\n  enabled: "yes"\n')).toMatch(/^F:2:12: metrics\.enabled: .*expected boolean/);
    expect(errorOf('capture: eth1\n')).toMatch(/^F:1:10: capture: .*expected object/);
  });

  it('an out-of-range number points at the value', () => {
    expect(errorOf('capture:\n  snaplen: 10\n')).toMatch(/^F:2:12: capture\.snaplen: Too small: expected number to be >=64$/);
    expect(errorOf('inventory:\n  flush_interval_ms: 1.5\n')).toMatch(/^F:2:22: inventory\.flush_interval_ms: .*expected int/);
  });

  it('an enum value outside the set lists the allowed values', () => {
    expect(errorOf('log:\n  level: loud\n')).toMatch(/^F:2:10: log\.level: .*"fatal".*"silent"/);
  });

  it('a non-loopback metrics address is refused unless explicitly allowed', () => {
    expect(errorOf('metrics:\n  listen: 0.0.0.0:9464\n')).toMatch(/^F:2:11: metrics\.listen: 0\.0\.0\.0 is not a loopback address/);
    expect(checkConfig('metrics:\n  listen: 0.0.0.0:9464\n  allow_non_loopback: true\n', 'f', NO_ENV).issues).toEqual([]);
    expect(errorOf('metrics:\n  listen: nine\n')).toMatch(/^F:2:11: metrics\.listen: expected host:port/);
  });

  it('promiscuous: false is refused with the reason', () => {
    expect(errorOf('capture:\n  promiscuous: false\n')).toMatch(/^F:2:16: capture\.promiscuous: false is not supported/);
  });

  it('group without user is refused', () => {
    expect(errorOf('capture:\n  group: nogroup\n')).toMatch(/^F:2:10: capture\.group: group needs user$/);
  });

  it('YAML syntax errors are AUS_ERR_CONFIG_FILE with line:col', () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'capture:\n  interface: eth1\n   snaplen: 3\n');
    const r = checkConfigFile(file, NO_ENV);
    expect(r.config).toBeNull();
    expect(r.issues[0]?.code).toBe('AUS_ERR_CONFIG_FILE');
    expect(r.issues[0]?.where.line).toBe(2) // yaml reports where the bad implicit key starts: the value on line 2;
    expect(r.issues[0]?.where.column).toBeGreaterThan(0);
    writeFileSync(file, 'capture:\n  interface: eth1\n  interface: eth2\n');
    expect(checkConfigFile(file, NO_ENV).issues[0]).toMatchObject({ code: 'AUS_ERR_CONFIG_FILE', where: { line: 3 } });
  });

  it('a top level that is not a mapping, a missing file and a directory are AUS_ERR_CONFIG_FILE', () => {
    expect(errorOf('- a\n- b\n')).toBe('F:1:1: the top level must be a mapping of sections (capture:, database:, ...)');
    expect(checkConfigFile(join(dir, 'missing.yaml'), NO_ENV).issues[0]).toMatchObject({ code: 'AUS_ERR_CONFIG_FILE', reason: 'no such file' });
    expect(checkConfigFile(dir, NO_ENV).issues[0]).toMatchObject({ code: 'AUS_ERR_CONFIG_FILE', reason: 'is a directory' });
  });

  it('every problem is reported, in file order', () => {
    const r = checkConfig('log:\n  level: loud\ncapture:\n  snaplen: 1\n  bogus: 2\n', 'f.yaml', NO_ENV);
    expect(r.issues.map((i) => `${i.where.line}:${i.where.column} ${i.key}`)).toEqual(['2:10 log.level', '4:12 capture.snaplen', '5:3 capture.bogus']);
  });
});

describe('config: precedence defaults < file < env < flags', () => {
  const text = 'capture:\n  interface: from-file\ndatabase:\n  path: file.db\nlog:\n  level: warn\n';

  it('env overrides the file, flags override env', () => {
    const env = { AUSCULT_INTERFACE: 'from-env', AUSCULT_DB: 'env.db', AUSCULT_METRICS_LISTEN: '127.0.0.2:1234' };
    const fileOnly = checkConfig(text, 'f', NO_ENV).config!;
    expect(fileOnly.capture.interface).toBe('from-file');
    const withEnv = checkConfig(text, 'f', { env }).config!;
    expect(withEnv.capture.interface).toBe('from-env');
    expect(withEnv.database.path).toBe('env.db');
    expect(withEnv.metrics.listen).toBe('127.0.0.2:1234');
    expect(withEnv.log.level).toBe('warn');
    const withFlags = checkConfig(text, 'f', { env, overrides: { 'capture.interface': 'from-flag', 'log.level': 'debug' } }).config!;
    expect(withFlags.capture.interface).toBe('from-flag');
    expect(withFlags.database.path).toBe('env.db');
    expect(withFlags.log.level).toBe('debug');
  });

  it('every documented env variable reaches its key', () => {
    const c = checkConfig(null, null, { env: {
      AUSCULT_INTERFACE: 'e1', AUSCULT_BPF_FILTER: 'arp', AUSCULT_USER: 'nobody', AUSCULT_GROUP: 'nogroup', AUSCULT_DB: 'x.db',
      AUSCULT_EXCEPTIONS: 'x.ndjson', AUSCULT_LOG_LEVEL: 'error', AUSCULT_METRICS_LISTEN: '[::1]:9', AUSCULT_FLUSH_INTERVAL_MS: '250',
    } }).config!;
    expect(c.capture).toMatchObject({ interface: 'e1', bpf_filter: 'arp', user: 'nobody', group: 'nogroup' });
    expect([c.database.path, c.output.exceptions_path, c.log.level, c.metrics.listen, c.inventory.flush_interval_ms]).toEqual(['x.db', 'x.ndjson', 'error', '[::1]:9', 250]);
  });

  it('AUSCULT_BPF_FILTER="" means no filter (capture everything)', () => {
    expect(checkConfig(null, null, { env: { AUSCULT_BPF_FILTER: '' } }).config!.capture.bpf_filter).toBe('');
  });

  it('a bad env value names the variable; a bad flag value names the flag', () => {
    const e = checkConfig(text, 'f', { env: { AUSCULT_LOG_LEVEL: 'loud' } }).issues[0]!;
    expect(e.where.file).toBe('env AUSCULT_LOG_LEVEL');
    expect(e.key).toBe('log.level');
    const n = checkConfig(null, null, { env: { AUSCULT_FLUSH_INTERVAL_MS: 'soon' } }).issues[0]!;
    expect(n.where.file).toBe('env AUSCULT_FLUSH_INTERVAL_MS');
    const f = checkConfig(text, 'f', { env: {}, overrides: { 'metrics.listen': '10.0.0.1:9464' } }).issues[0]!;
    expect(f.where.file).toBe('flag for metrics.listen');
  });
});

describe('listen addresses', () => {
  it('parses host:port and [v6]:port, and knows loopback', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListenAddress('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(typeof parseListenAddress('127.0.0.1')).toBe('string');
    expect(typeof parseListenAddress('127.0.0.1:70000')).toBe('string');
    expect(typeof parseListenAddress('example.com:80')).toBe('string');
    for (const h of ['127.0.0.1', '127.9.9.9', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '::', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
