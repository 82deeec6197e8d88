/**
 * \summary A passive host: what the capture interface's own kernel would send, and the exact
 * commands that silence it. A SPAN port must carry nothing from the sensor's host: with IPv6 on,
 * the kernel sends router solicitations, DAD and MLD reports as soon as the link is up; with an
 * address it answers ARP and may speak DHCP; with ARP on it answers probes. auscult itself never
 * transmits (it opens the handle receive-only), so these warnings are about the host.
 *
 * Read from /proc/sys and /sys (Linux) and os.networkInterfaces(); on other systems, or for an
 * interface name that could not be a path component, nothing is checked.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** One thing the host would send, and the command that stops it. */
export interface PassiveHostWarning {
  problem: string;
  fix: string;
}

const IFF_NOARP = 0x80;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** What is not yet passive about `ifname` (empty when prepared; see README "A passive host"). */
export function passiveHostWarnings(ifname: string, root = ''): PassiveHostWarning[] {
  if (!/^[\w.:@-]{1,15}$/.test(ifname)) return [];
  const out: PassiveHostWarning[] = [];
  const v6 = read(`${root}/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`);
  if (v6 === '0') {
    out.push({
      problem: 'IPv6 is enabled: the kernel sends router solicitations, DAD and MLD reports on the SPAN port',
      fix: `sysctl -w net.ipv6.conf.${ifname}.disable_ipv6=1`,
    });
  }
  const addresses = (networkInterfaces()[ifname] ?? []).map((a) => a.address);
  if (root === '' && addresses.length > 0) {
    out.push({ problem: `addresses are assigned (${addresses.join(', ')}): the host answers and may speak from them`, fix: `ip address flush dev ${ifname}` });
  }
  const flags = read(`${root}/sys/class/net/${ifname}/flags`);
  if (flags !== null && (Number.parseInt(flags, 16) & IFF_NOARP) === 0) {
    out.push({ problem: 'ARP is on: the host answers ARP requests on the SPAN port', fix: `ip link set dev ${ifname} arp off` });
  }
  return out;
}

/** The preparation as shell lines (deploy/prepare-interface.sh runs the same). */
export function preparationCommands(ifname: string): string[] {
  return [`sysctl -w net.ipv6.conf.${ifname}.disable_ipv6=1`, `ip address flush dev ${ifname}`, `ip link set dev ${ifname} arp off`, `ip link set dev ${ifname} up`];
}
