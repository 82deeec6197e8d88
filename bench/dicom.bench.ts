/**
 * \summary `npm run bench:dicom` (issue 5's benchmark): generates a DICOM-heavy capture (the real
 * lab associations, four C-STOREs of a CT with 32 KiB of pixel data among them, repeated whole
 * with per-repetition modality MAC/IP and client ports; see dicom-generate.ts), then measures on
 * that same file, in the same run: auscult replay (decode, TCP reassembly, DICOM, identify, store;
 * child process, peak RSS), tshark decoding the DICOM layer with decode-as on the four PACS ports,
 * and `tcpdump -r FILE -w /dev/null` (the raw-read limit). Prints packets/s, auscult's ratios, peak
 * RSS, PASS/FAIL against issue 3's targets, checks that every modality came out identified as the
 * ExampleMed CT, and writes bench/out/dicom-results.json.
 *
 * Environment: BENCH_DICOM_PACKETS (default 200,000), BENCH_DICOM_MODALITIES (default 100),
 * BENCH_STRICT=1 (exit 1 on a missed target or a failed identity check).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  AUSCULT_BIN, OUT, QUICK_RUN_MS, ROOT, TARGET_PEAK_RSS_BYTES, TARGET_RATIO_TO_TSHARK, TIME_BIN,
  fmtInt, load, log, machine, mbOfKb, printTable, replayChild, timed, warmCache,
} from './bench-util.js';
import { buildDicomTemplate, DICOM_MODALITIES, generateDicomCapture } from './dicom-generate.js';
import type { ReplayChildResult } from './replay-child-main.js';
import { deployedEnv } from '../src/runtime-env.js';

const FIXTURE = join(ROOT, 'fixtures', 'dicom', 'lab-dicom-associations.pcapng');
/** The PACS ports of the lab capture; tshark decodes DICOM only where told (its heuristic is off). */
const DICOM_PORTS = [104, 11112, 4242, 11113];
/** Fields that make tshark dissect the whole DICOM layer: A-ASSOCIATE items and data elements. */
const TSHARK_FIELDS = ['frame.number', 'dicom.assoc.ae.calling', 'dicom.assoc.ae.called', 'dicom.userinfo.uid', 'dicom.tag.value.str'];

interface Row { tool: string; packets: number; wallMs: number; packetsPerSec: number; maxRssKb?: number; runs: number; load: string }

function row(tool: string, packets: number, r: { wallMs: number; maxRssKb?: number; load: string }, runs: number): Row {
  return { tool, packets, wallMs: r.wallMs, packetsPerSec: packets / (r.wallMs / 1000), ...(r.maxRssKb !== undefined ? { maxRssKb: r.maxRssKb } : {}), runs, load: r.load };
}

interface DeviceJson {
  mac?: string | null; ip?: string | null; manufacturer?: string | null; model?: string | null; serial?: string | null;
  firmware?: string | null; device_type?: string | null;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const minPackets = Number(process.env['BENCH_DICOM_PACKETS'] ?? 200_000);
  const modalities = Number(process.env['BENCH_DICOM_MODALITIES'] ?? DICOM_MODALITIES);
  const strict = process.env['BENCH_STRICT'] === '1';
  const info = machine({ tshark: ['tshark', '--version'], tcpdump: ['tcpdump', '--version'] });
  log(`machine: ${JSON.stringify(info)}`);

  const template = await buildDicomTemplate(FIXTURE);
  const capture = generateDicomCapture(template, join(OUT, 'bench-dicom.pcap'), minPackets, modalities);
  log(`capture: ${capture.path}: ${fmtInt(capture.packets)} packets, ${(capture.bytes / 1e6).toFixed(1)} MB, ${fmtInt(capture.associations)} associations `
    + `(${template.frames.length} frames × ${fmtInt(capture.repetitions)} repetitions over ${capture.modalities} modalities), `
    + `${capture.reused ? 'reused' : `written in ${(capture.writeMs / 1000).toFixed(1)} s`}`);
  warmCache(capture.path);

  // auscult: the same replay as `auscult replay`, in its own process.
  const db = join(OUT, 'bench-dicom.db');
  const child = replayChild();
  log(`auscult replay ... (load ${load()})`);
  const auscultOnce = async () => {
    const r = await timed(process.execPath, [child, capture.path, db, String(Math.ceil(capture.packets / 10))], 'capture', deployedEnv());
    const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ReplayChildResult;
    return { ...r, maxRssKb: r.maxRssKb ?? result.maxRssKb, result };
  };
  let a = await auscultOnce();
  let auscultRuns = 1;
  if (a.wallMs < QUICK_RUN_MS) {
    const b = await auscultOnce();
    auscultRuns = 2;
    if (b.wallMs < a.wallMs) a = b;
  }
  if (a.result.frames !== capture.packets) log(`  ! auscult replayed ${a.result.frames} of ${capture.packets} frames`);
  const auscult = row('auscult', capture.packets, a, auscultRuns);

  // Identity check on the database of the kept run.
  const devicesOut = spawnSync(process.execPath, [AUSCULT_BIN, 'devices', '--db', db, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const devices = devicesOut.status === 0 ? JSON.parse(devicesOut.stdout) as DeviceJson[] : [];
  const ct = devices.filter((d) => /ExampleMed/.test(d.manufacturer ?? '') && d.model === 'ExampleScan CT 9000');
  const identityOk = ct.length === capture.modalities;
  const sampleCt = ct[0];

  // tshark with DICOM decode-as; rows carrying any DICOM field are counted to prove it decoded.
  log(`tshark ... (load ${load()})`);
  const tsharkArgs = ['-n', '-r', capture.path, ...DICOM_PORTS.flatMap((p) => ['-d', `tcp.port==${p},dicom`]), '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  let tsharkRows = 0;
  let tsharkDicomRows = 0;
  const t = await timed('tshark', tsharkArgs, (line) => {
    tsharkRows++;
    if (/\t\S/.test(line)) tsharkDicomRows++;
  });
  const tshark = row('tshark', capture.packets, t, 1);

  log(`tcpdump ... (load ${load()})`);
  let d = await timed('tcpdump', ['-r', capture.path, '-w', '/dev/null']);
  let tcpdumpRuns = 1;
  if (d.wallMs < QUICK_RUN_MS) {
    const e = await timed('tcpdump', ['-r', capture.path, '-w', '/dev/null']);
    tcpdumpRuns = 2;
    if (e.wallMs < d.wallMs) d = e;
  }
  const tcpdump = row('tcpdump', capture.packets, d, tcpdumpRuns);

  const rows = [auscult, tshark, tcpdump];
  log();
  printTable(['tool', 'packets', 'wall s', 'packets/s', 'peak RSS MB', 'auscult ×', 'load after (1/5/15 min)'], rows.map((r) => [
    r.tool, fmtInt(r.packets), (r.wallMs / 1000).toFixed(2), fmtInt(r.packetsPerSec), mbOfKb(r.maxRssKb),
    r.tool === 'auscult' ? '' : (auscult.packetsPerSec / r.packetsPerSec).toFixed(2), r.load,
  ]));
  log();
  log(`tshark: ${fmtInt(tsharkRows)} rows, ${fmtInt(tsharkDicomRows)} with a DICOM field (AE title, Implementation Class UID or data element value)`);
  log(`auscult: ${a.result.devices} devices; ${ct.length} identified as ExampleMed / ExampleScan CT 9000 (expected ${capture.modalities}: one per modality)`
    + (sampleCt ? `, e.g. ${JSON.stringify({ mac: sampleCt.mac, ip: sampleCt.ip, manufacturer: sampleCt.manufacturer, model: sampleCt.model, serial: sampleCt.serial, firmware: sampleCt.firmware, device_type: sampleCt.device_type })}` : ''));
  log(`auscult RSS samples (MiB): ${a.result.samples.map((s) => s.rssMb).join(', ')}`);

  const ratio = auscult.packetsPerSec / tshark.packetsPerSec;
  const rssBytes = (auscult.maxRssKb ?? 0) * 1024;
  const targets = [
    { name: `auscult packets/s ≥ ${TARGET_RATIO_TO_TSHARK} × tshark (DICOM decode-as)`, value: ratio, pass: ratio >= TARGET_RATIO_TO_TSHARK },
    { name: `auscult peak RSS ≤ ${TARGET_PEAK_RSS_BYTES / 1e6} MB`, value: rssBytes / 1e6, pass: auscult.maxRssKb !== undefined && rssBytes <= TARGET_PEAK_RSS_BYTES },
    { name: 'every modality identified as the ExampleMed CT', value: ct.length, pass: identityOk },
  ];
  log();
  for (const x of targets) log(`${x.pass ? 'PASS' : 'FAIL'}  ${x.name}: ${x.value.toFixed(2)}`);
  if (!existsTime()) log(`(no ${TIME_BIN}: peak RSS of tshark/tcpdump not measured; auscult's from process.resourceUsage())`);

  writeFileSync(join(OUT, 'dicom-results.json'), `${JSON.stringify({
    date: new Date().toISOString(), machine: info, capture, tshark: { args: tsharkArgs, rows: tsharkRows, dicomRows: tsharkDicomRows },
    rows, auscultChild: a.result, identified: { count: ct.length, expected: capture.modalities, sample: sampleCt === undefined ? null : { mac: sampleCt.mac, manufacturer: sampleCt.manufacturer, model: sampleCt.model } }, targets,
  }, null, 2)}\n`);
  log(`results: ${join(OUT, 'dicom-results.json')}`);
  if (strict && targets.some((x) => !x.pass)) process.exitCode = 1;
}

function existsTime(): boolean { return spawnSync(TIME_BIN, ['true']).status === 0; }

await main();
