import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMessage } from '../../../server/src/lang/core/diagnostics';
import { dockerfileService } from '../../../server/src/lang/dockerfile/dockerfileLanguage';
import { dockerfileRules } from '../../../server/src/lang/dockerfile/dockerfileRules';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';

const ALL = Object.keys(dockerfileRules);

/** Asserts every diagnostic of the file: the LTSP checks must not add noise to the cases of another check. */
async function expectCodes(source: string, codes: string[], eol: '\n' | '\r\n', only: string[] = ALL) {
  const { text, ranges } = marked(source, eol);
  const diagnostics = await dockerfileService.validate(text);
  assertDiagnostics(diagnostics, codes, ranges, only);
  return diagnostics;
}

/** An LTSP 20+ build that has everything: the negative case for every LTSP check. */
const LTSP20 = `FROM ubuntu:24.04 AS rootfs
RUN apt-get update \\
 && apt-get install -y --no-install-recommends linux-image-generic ltsp squashfs-tools \\
 && rm -rf /var/lib/apt/lists/*
RUN ltsp image /

FROM ubuntu:24.04
COPY --from=rootfs /srv/ltsp/images /srv/ltsp/images
COPY --from=rootfs /srv/tftp/ltsp /srv/tftp/ltsp
`;

/** The article's shape (LTSP 5, debootstrap chroot, NBD), with everything in place. */
const LTSP5 = `FROM ubuntu:16.04 AS ltsp-base
RUN apt-get -y update && apt-get -y install ltsp-server tftpd-hpa nbd-server && rm -rf /var/lib/apt/lists

FROM ltsp-base AS basesystem
RUN debootstrap --arch amd64 xenial /opt/ltsp/amd64
RUN ltsp-chroot apt-get -y install ltsp-client-core
RUN ltsp-chroot apt-get -y install linux-generic-hwe-16.04

FROM basesystem AS builder
RUN ltsp-chroot sh -c 'KERNEL="$(ls -1t /lib/modules/ | head -n1)" && ./install --kernel "$KERNEL"'

FROM basesystem AS ltsp-image
COPY --from=builder /opt/ltsp/amd64/modules.tar.gz /opt/ltsp/amd64/modules.tar.gz
RUN rm -rf /opt/ltsp/amd64/var/lib/apt/lists && ltsp-chroot apt-get clean
RUN ltsp-update-image

FROM ltsp-base
COPY --from=ltsp-image /opt/ltsp/images /opt/ltsp/images
COPY --from=ltsp-image /etc/nbd-server/conf.d /etc/nbd-server/conf.d
COPY --from=ltsp-image /var/lib/tftpboot /var/lib/tftpboot
`;

bothEols('complete LTSP 20+ and LTSP 5 image builds get no diagnostic at all', async (eol) => {
  await expectCodes(LTSP20, [], eol);
  await expectCodes(LTSP5, [], eol);
});

bothEols('an image stage without a kernel', async (eol) => {
  const diagnostics = await expectCodes(LTSP20.replace(' linux-image-generic', '').replace('AS rootfs', 'AS ⟦rootfs⟧'), ['DKR008'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(dockerfileRules.DKR008.message, { stage: 'rootfs', where: '', fix: 'RUN apt-get install -y linux-image-generic' }));
});

bothEols('a kernel installed in the container when the image is made from the chroot does not count', async (eol) => {
  const source = LTSP5.replace('RUN ltsp-chroot apt-get -y install linux-generic-hwe-16.04', 'RUN apt-get -y install linux-generic-hwe-16.04').replace('AS ltsp-image', 'AS ⟦ltsp-image⟧');
  const diagnostics = await expectCodes(source, ['DKR008'], eol);
  assert.match(diagnostics[0]!.message, /in the chroot the image is made from \(`linux-generic-hwe-16\.04` on line 7 goes into the container itself\).*`RUN ltsp-chroot apt-get install -y linux-image-generic`/);
});

bothEols('a kernel copied in without an initramfs; fine once one is built', async (eol) => {
  const copied = LTSP5.replace('RUN ltsp-chroot apt-get -y install linux-generic-hwe-16.04', 'COPY --from=kernels /boot/vmlinuz-6.1.0 /opt/ltsp/amd64/boot/').replace('FROM ubuntu:16.04 AS ltsp-base', 'FROM debian:12 AS kernels\nFROM ubuntu:16.04 AS ltsp-base');
  const diagnostics = await expectCodes(copied.replace('AS ltsp-image', 'AS ⟦ltsp-image⟧'), ['DKR009'], eol);
  assert.match(diagnostics[0]!.message, /copied in on line 8.*`RUN ltsp-chroot update-initramfs -c -k all`/);
  await expectCodes(copied.replace('RUN ltsp-update-image', 'RUN ltsp-chroot update-initramfs -c -k all\nRUN ltsp-update-image'), [], eol);
});

bothEols('ltsp-chroot before debootstrap is an error on the ltsp-chroot', async (eol) => {
  const diagnostics = await expectCodes('FROM ubuntu:16.04 AS image\nRUN apt-get -y install ltsp-server\nRUN ⟦ltsp-chroot⟧ apt-get -y install ltsp-client-core\nRUN debootstrap xenial /opt/ltsp/amd64\nRUN ltsp-chroot apt-get -y install linux-generic\nRUN ltsp-update-image\n', ['DKR010'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(dockerfileRules.DKR010.message, { tool: 'ltsp-chroot', creator: 'debootstrap', line: 4 }));
});

bothEols('a chroot inside a RUN heredoc is seen, and so is its order', (eol) =>
  expectCodes(
    'FROM debian:12 AS image\nRUN <<EOF\nset -e\n# chroot /rootfs is a comment here\n⟦chroot⟧ /rootfs apt-get install -y linux-image-amd64\nEOF\nRUN debootstrap bookworm /rootfs\nRUN mksquashfs /rootfs /srv/ltsp/images/x86_64.img\n',
    ['DKR010'],
    eol,
    ['DKR010', 'DKR011'],
  ),
);

bothEols('a chroot that nothing creates is a warning naming the stage that does', async (eol) => {
  const diagnostics = await expectCodes('FROM debian:12 AS image\nRUN debootstrap bookworm /rootfs\nFROM debian:12 AS tweaks\nRUN ⟦chroot⟧ /rootfs true\nFROM image\nCOPY --from=tweaks /x /x\n', ['DKR011'], eol, ['DKR010', 'DKR011']);
  assert.match(diagnostics.find((d) => d.code === 'DKR011')!.message, /\(`\/rootfs`\).*stage `image` creates one, but this stage is not built FROM it: unless base image `debian:12` ships one/);
});

bothEols('a chroot made by COPY, tar -C or in a parent stage needs nothing more', (eol) =>
  expectCodes(
    'FROM debian:12 AS a\nCOPY --from=rootfs:1 / /rootfs\nRUN chroot /rootfs true\nFROM debian:12 AS b\nRUN mkdir /r && tar -xf r.tar -C /r && chroot /r true\nFROM a AS c\nRUN chroot /rootfs/ true\nCOPY --from=b /r /r\n',
    [],
    eol,
    ['DKR010', 'DKR011'],
  ),
);

bothEols('no squashfs anywhere is a warning on the image stage', async (eol) => {
  const diagnostics = await expectCodes(LTSP5.replace('RUN ltsp-update-image\n', '').replace('AS ltsp-image', 'AS ⟦ltsp-image⟧'), ['DKR012'], eol, ['DKR012']);
  assert.match(diagnostics.find((d) => d.code === 'DKR012')!.message, /End image stage `ltsp-image` with `RUN ltsp-update-image`/);
});

bothEols('a Dockerfile that is not a netboot build gets no LTSP diagnostic', (eol) =>
  expectCodes('FROM debian:12\nRUN apt-get install linux-image-amd64\nRUN apt-get install qemu-utils\n', [], eol),
);

bothEols('a final stage that copies only the image misses the kernel, the TFTP tree and the NBD config', async (eol) => {
  const source = LTSP5.replace(/COPY --from=ltsp-image \/(etc|var)[^\n]*\n/g, '').replace('FROM ltsp-base\n', '⟦FROM ltsp-base⟧\n');
  const diagnostics = await expectCodes(source, ['DKR013'], eol);
  assert.equal(
    diagnostics[0]!.message,
    formatMessage(dockerfileRules.DKR013.message, {
      missing: 'the kernel and initramfs, the TFTP tree and the NBD export config',
      copies: '`COPY --from=ltsp-image /var/lib/tftpboot /var/lib/tftpboot`, `COPY --from=ltsp-image /etc/nbd-server/conf.d /etc/nbd-server/conf.d`',
    }),
  );
});

bothEols('a final stage that copies nothing misses the image too; LTSP 20+ paths are suggested', async (eol) => {
  // BuildKit would now skip the image stage altogether, which DKR007 says.
  const source = LTSP20.replace(/COPY[^\n]*\n/g, '').replace('FROM ubuntu:24.04\n', '⟦FROM ubuntu:24.04⟧\n').replace('AS rootfs', 'AS ⟦rootfs⟧');
  const diagnostics = await expectCodes(source, ['DKR007', 'DKR013'], eol);
  assert.match(diagnostics[1]!.message, /copy the squashfs image, the kernel and initramfs and the TFTP tree from .*`COPY --from=rootfs \/srv\/ltsp\/images \/srv\/ltsp\/images`, `COPY --from=rootfs \/srv\/tftp \/srv\/tftp`/);
});

bothEols('a final stage built FROM the image stage has everything already', (eol) => expectCodes('FROM debian:12 AS image\nRUN apt-get install -y linux-image-amd64 ltsp\nRUN ltsp image /\nFROM image\nRUN ltsp ipxe\n', [], eol));

bothEols('modules built for `uname -r` target the build machine', async (eol) => {
  const source = LTSP20.replace('RUN ltsp image /', 'RUN apt-get install -y ⟦linux-headers-$(uname -r)⟧ && make -C ⟦/lib/modules/`uname -r`/build⟧ M=$PWD\nRUN ltsp image /');
  const diagnostics = await expectCodes(source, ['DKR014', 'DKR014'], eol);
  assert.match(diagnostics[0]!.message, /for kernel `\$\(uname -r\)`, but `uname -r` is the kernel of the machine running `docker build`/);
});

bothEols('modules built for a literal version other than the image kernel', (eol) =>
  expectCodes(
    'FROM debian:12 AS image\nRUN apt-get install -y linux-image-6.1.0-18-amd64 ltsp\nRUN dkms install drbd/9.2 -k ⟦6.1.0-17-amd64⟧\nRUN dkms install zfs/2.1 -k 6.1.0-18-amd64/x86_64\nRUN ltsp image /\nFROM image\n',
    ['DKR014'],
    eol,
  ),
);

bothEols("the article's builder, but built FROM the server stage instead of the chroot stage", async (eol) => {
  const source = LTSP5.replace('FROM basesystem AS builder', 'FROM ltsp-base AS builder').replace('--kernel "$KERNEL"', '--kernel ⟦"$KERNEL"⟧');
  const diagnostics = await expectCodes(source, ['DKR014'], eol, ['DKR014']);
  assert.match(diagnostics.find((d) => d.code === 'DKR014')!.message, /stage `builder` is not built FROM stage `basesystem`, where the image's kernel is installed/);
});

bothEols('MODULES=dep and dracut --hostonly are flagged; replacing dep is not', (eol) =>
  expectCodes(
    "FROM debian:12 AS image\nRUN apt-get install -y linux-image-amd64 ltsp\nRUN sed -i 's/^MODULES=.*/⟦MODULES=dep⟧/' /etc/initramfs-tools/initramfs.conf\nRUN sed -i 's/MODULES=dep/MODULES=netboot/' /etc/initramfs-tools/initramfs.conf\nRUN dracut ⟦--hostonly⟧ -f\nCOPY <<EOF /etc/dracut.conf.d/x.conf\n⟦hostonly=\"yes\"⟧\nEOF\n# MODULES=dep in a comment\nRUN ltsp image /\nFROM image\n",
    ['DKR015', 'DKR015', 'DKR015'],
    eol,
  ),
);

bothEols('apt-get install without -y in the image; -y, -qq, --yes and yes | are fine', async (eol) => {
  const diagnostics = await expectCodes(
    'FROM debian:12 AS image\nRUN ⟦apt-get install⟧ linux-image-amd64 && apt-get -qq install ltsp && apt-get --yes install a && yes | apt-get install b\nRUN apt-get -y -o Dpkg::Options::=--force-confold install c && apt-get update\nRUN ltsp image /\nFROM image\n',
    ['DKR016'],
    eol,
  );
  assert.equal(diagnostics[0]!.message, formatMessage(dockerfileRules.DKR016.message, { command: 'apt-get install' }));
});

bothEols('apt-get without -y outside the image build is left to other linters', (eol) =>
  expectCodes(LTSP20.replace('FROM ubuntu:24.04\n', 'FROM ubuntu:24.04\nRUN apt-get install nginx\n'), [], eol),
);

bothEols('apt lists left in a chroot that mksquashfs compresses', async (eol) => {
  const source = 'FROM debian:12 AS image\nRUN debootstrap bookworm /rootfs\nRUN chroot /rootfs ⟦apt-get update⟧ && chroot /rootfs apt-get install -y linux-image-amd64\nRUN mksquashfs /rootfs /srv/ltsp/images/x86_64.img -comp zstd\nFROM image\n';
  const diagnostics = await expectCodes(source, ['DKR017'], eol);
  assert.match(diagnostics[0]!.message, /`mksquashfs` \(line 4\).*`rm -rf \/rootfs\/var\/lib\/apt\/lists\/\*`/);
  await expectCodes(source.replace('⟦apt-get update⟧', 'apt-get update').replace('-comp zstd', '-e var/lib/apt/lists'), [], eol);
  await expectCodes(source.replace('⟦apt-get update⟧', 'apt-get update').replace('RUN mksquashfs', 'RUN rm -rf /rootfs/var/lib/apt/lists/*\nRUN mksquashfs'), [], eol);
});

bothEols('secrets in ARG, ENV and RUN (heredocs too); references and versions are not', (eol) =>
  expectCodes(
    'FROM debian:12\nARG DOCKER_VERSION=23.0\nARG JOIN_TOKEN=⟦2a4576.504356e45fa3d365⟧\nARG API_KEY=$API_KEY\nENV DB_PASSWORD=⟦hunter2⟧ MIRROR=http://deb.debian.org\nRUN kubeadm join 10.0.0.1:6443 ⟦--token 2a4576.504356e45fa3d365⟧\nRUN <<EOF\ncat > /root/key <<KEY\n⟦-----BEGIN OPENSSH PRIVATE KEY-----⟧\nKEY\nEOF\n',
    ['DKR018', 'DKR018', 'DKR018', 'DKR018'],
    eol,
  ),
);

test('the LTSP checks read every corpus-style generation: the article builder FROM the chroot stage is fine', async () => {
  const diagnostics = await dockerfileService.validate(LTSP5);
  assert.deepEqual(diagnostics, []);
});
