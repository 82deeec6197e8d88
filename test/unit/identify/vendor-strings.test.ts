/**
 * Corpus of real vendor strings (issue 16) and how the splitter cuts them: DHCP option 60 and
 * LLDP system descriptions from the lab fixtures, the shared captures' truth files
 * (../shared/captures, quoted here), the advisories' product names, and the version formats
 * devices were seen to send (A/2.4.1, Rev J, V93.21.15Z, N.00.01, 8.01.00, v2.3 build 1190).
 * Where the catalogue knows the product, the split model must also resolve to its type.
 */
import { describe, expect, it } from 'vitest';
import { findProductFamily } from '../../../src/identify/catalogue/index.js';
import { splitVendorString } from '../../../src/identify/rules-identifier.js';
import { lookupManufacturer, trailingVersion } from '../../../src/identify/vendors.js';

interface Case { text: string; known: string; model?: string; version?: string; type?: string; from: string }

const CORPUS: Case[] = [
  { text: 'Philips IntelliVue MX450', known: 'Philips', model: 'IntelliVue MX450', type: 'patient_monitor', from: 'fixtures/dhcp/lab-dhcp-clients.pcapng' },
  { text: 'BD Alaris PC 8015', known: 'BD', model: 'Alaris PC 8015', type: 'infusion_pump', from: 'fixtures/dhcp/lab-dhcp-clients.pcapng' },
  { text: 'CareFusion Alaris 8100', known: 'BD', model: 'Alaris 8100', type: 'infusion_pump', from: 'fixtures/dhcp/lab-dhcp-relay-opt82.pcapng' },
  { text: 'B. Braun SpaceStation', known: 'B. Braun', model: 'SpaceStation', type: 'medical_device_gateway', from: 'fixtures/demo/hospital-demo.pcapng' },
  { text: 'Draeger Perseus A500', known: 'Dräger', model: 'Perseus A500', type: 'anesthesia_machine', from: 'fixtures/dhcp/lab-dhcp-relay-opt82.pcapng' },
  { text: 'GE CARESCAPE B650', known: 'GE Healthcare', model: 'CARESCAPE B650', type: 'patient_monitor', from: 'fixtures/dhcp/lab-dhcp-relay-opt82.pcapng' },
  { text: 'GE Healthcare MAC 5500 HD resting ECG system', known: 'GE Healthcare', model: 'MAC 5500 HD', type: 'ecg', from: 'fixtures/lab/demo.sh' },
  { text: 'Cisco Systems, Inc. IP Phone CP-8845', known: 'Cisco', model: 'IP Phone CP-8845', from: 'fixtures/lldp/lab-switch-endpoints.pcapng' },
  { text: '3Com Switch 4500G 48-Port Software Version 3Com OS V5.02.00s168p20', known: '3Com', model: 'Switch 4500G 48-Port', version: 'V5.02.00s168p20', from: '../shared/captures (3Com 4500G LLDP system description)' },
  { text: 'MikroTik RouterOS 6.21.1', known: 'MikroTik', model: 'RouterOS', version: '6.21.1', from: '../shared/captures (MikroTik CDP platform + software version)' },
  // Version formats devices send after the model (issue 16).
  { text: 'Philips IntelliVue MX800 N.00.01', known: 'Philips', model: 'IntelliVue MX800', version: 'N.00.01', type: 'patient_monitor', from: 'IntelliVue firmware revision format' },
  { text: 'Philips IntelliVue MX450 M.00.03 (WLAN)', known: 'Philips', model: 'IntelliVue MX450', version: 'M.00.03', type: 'patient_monitor', from: 'trailing note' },
  { text: 'B. Braun SpaceStation A/2.4.1', known: 'B. Braun', model: 'SpaceStation', version: 'A/2.4.1', from: 'SpaceCom software format' },
  { text: 'BBraun Space Infusomat A/2.4.1', known: 'B. Braun', model: 'Space Infusomat', version: 'A/2.4.1', type: 'infusion_pump', from: 'vendor name without punctuation' },
  { text: 'B.Braun Perfusor Space', known: 'B. Braun', model: 'Perfusor Space', type: 'syringe_pump', from: 'fingerprints/dhcp-vendor-class.yaml example' },
  { text: 'Draeger Perseus A500 Rev J', known: 'Dräger', model: 'Perseus A500', version: 'Rev J', type: 'anesthesia_machine', from: 'hardware revision format' },
  { text: 'Baxter Sigma Spectrum V93.21.15Z', known: 'Baxter', model: 'Sigma Spectrum', version: 'V93.21.15Z', type: 'infusion_pump', from: 'issue 16 version format' },
  { text: 'Baxter Spectrum IQ 8.01.00', known: 'Baxter', model: 'Spectrum IQ', version: '8.01.00', type: 'infusion_pump', from: 'issue 16 version format' },
  { text: 'GE CARESCAPE B450 v2.3 build 1190', known: 'GE Healthcare', model: 'CARESCAPE B450', version: 'v2.3 build 1190', type: 'patient_monitor', from: 'issue 16 version format' },
  { text: 'Mindray BeneVision N22 Version 02.01.00', known: 'Mindray', model: 'BeneVision N22', version: 'Version 02.01.00', type: 'patient_monitor', from: 'version announced by a lead word' },
  { text: 'Hamilton Medical HAMILTON-C6 fw 2.2.5', known: 'Hamilton Medical', model: 'HAMILTON-C6', version: 'fw 2.2.5', type: 'ventilator', from: 'fw lead word' },
  // Advisories' product names (../shared/advisories) with the vendor in front.
  { text: 'BD Alaris Point-of-Care Unit (PCU) Model 8015', known: 'BD', model: 'Alaris Point-of-Care Unit (PCU) Model 8015', type: 'infusion_pump', from: 'ICSMA-20-317-01' },
  { text: 'Medtronic MiniMed 670G', known: 'Medtronic', model: 'MiniMed 670G', type: 'insulin_pump', from: 'ICSMA-22-263-01' },
  { text: 'Philips IntelliBridge EC40 Hub', known: 'Philips', model: 'IntelliBridge EC40 Hub', type: 'physiological_data_gateway', from: 'ICSMA-20-254-01' },
  { text: 'Fresenius Kabi Agilia Link+ 3.0', known: 'Fresenius Kabi', model: 'Agilia Link+', version: '3.0', type: 'infusion_management_system', from: 'ICSMA-21-355-01' },
];

describe('vendor string corpus', () => {
  it.each(CORPUS)('$text', (c) => {
    const m = lookupManufacturer(c.known);
    expect(m, c.known).toBeDefined();
    const r = splitVendorString(c.text, new Set(m ? [m] : []));
    expect({ model: r?.model, version: r?.version }).toEqual({ model: c.model, version: c.version });
    if (c.type !== undefined) expect(findProductFamily(c.known, c.model ?? '')?.family.type.id).toBe(c.type);
  });
});

describe('trailingVersion', () => {
  it.each([
    [['IntelliVue', 'MX800'], undefined],
    [['8.01.00'], undefined], // a version alone is no split: nothing would remain
    [['Unit', 'Rev', 'J'], 'Rev J'],
    [['Unit', 'v2.3', 'build', '1190'], 'v2.3 build 1190'],
    [['Unit', 'A/2.4.1', 'WiFi'], 'A/2.4.1'],
    [['Unit', 'Version', '4'], 'Version 4'],
    [['Unit', 'Version', 'unknown'], undefined],
  ])('%j → %s', (words, version) => {
    expect(trailingVersion(words).version).toBe(version);
  });
});
