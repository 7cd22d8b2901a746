#!/usr/bin/env bash
# Debian 12 packages the test suites and the example farm need. Services are
# installed without being started: a DHCP or TFTP daemon starting on the host
# network would be an outage, so policy-rc.d refuses every start during the
# install and is removed afterwards.
set -euo pipefail
packages=(
  # the netboot preview: QEMU, firmware, boot loaders, image tools
  qemu-system-x86 qemu-utils ipxe-qemu ovmf squashfs-tools busybox-static
  pxelinux syslinux-common grub-pc-bin grub-efi-amd64-bin grub-common
  nbd-client cpio kmod iproute2 iptables file
  # real clients and peers the farm is tested and measured against
  isc-dhcp-server dnsmasq nbd-server tftpd-hpa tftp-hpa atftp libnbd-bin udhcpc
  # router advertisements on the private network (iPXE waits ~13 s without one)
  radvd
  # the image build without a Docker daemon
  buildah podman fuse-overlayfs slirp4netns uidmap runc debootstrap zstd
  # a real VS Code (code-server) driven by a headless browser; its install
  # compiles native modules (node-pty, kerberos) with node-gyp
  chromium ripgrep libkrb5-dev g++ make python3
  # the bench's peer for ltsp.conf; ipxe has the undionly.kpxe and snponly.efi
  # that `ltsp ipxe` installs for the LTSP 20+ image test
  ltsp ipxe
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
policy=/usr/sbin/policy-rc.d
"${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy"
trap '"${sudo[@]}" rm -f "$policy"' EXIT
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
