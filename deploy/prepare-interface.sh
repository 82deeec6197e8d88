#!/bin/sh
# Makes a capture interface passive on the host, before auscult opens it: no IPv6 (no router
# solicitations, DAD or MLD), no address, no ARP. Run as root: prepare-interface.sh eth1
# (the systemd unit's ExecStartPre does; for Docker, run it on the host before `docker run`).
set -eu
if="${1:?usage: prepare-interface.sh IFNAME}"
sysctl -q -w "net.ipv6.conf.${if}.disable_ipv6=1"
ip address flush dev "$if"
ip link set dev "$if" arp off
ip link set dev "$if" up
