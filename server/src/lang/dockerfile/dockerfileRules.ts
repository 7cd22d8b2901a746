import type { RuleCatalog } from '../core/diagnostics';

/**
 * Every diagnostic a Dockerfile can get. The Docker extension already lints
 * Dockerfiles in general; these are about the stage graph and about what an
 * LTSP image build needs. Codes are stable: users turn them off by code.
 */
export const dockerfileRules = {
  // The stage graph.
  DKR001: { severity: 'error', message: '`{keyword}` is not a Dockerfile instruction: the build stops here.{suggestion}' },
  DKR002: { severity: 'error', message: '`{via}{name}` names no stage{consequence}.{suggestion} Name a stage defined above ({stages}), or give an image with its tag (`{name}:latest`).' },
  DKR003: { severity: 'error', message: '`{via}{name}`: stage `{name}` is only defined below (line {line}), and a stage can only use stages above it; Docker would pull an image called `{name}` instead. Move stage `{name}` above this one.' },
  DKR004: { severity: 'error', message: 'FROM `{name}`: stage `{name}` is only defined below (line {line}), so this FROM pulls an image called `{name}` instead of building on that stage. Move stage `{name}` above this one.' },
  DKR005: { severity: 'error', message: 'Stage name `{name}` is already used on line {line} (stage names ignore case): Docker refuses the file. Rename one of them.' },
  DKR006: { severity: 'error', message: 'These stages depend on each other in a cycle: {cycle}. A stage can only use stages above it, so none of them can be built first, and Docker would look for images with these names instead. Break the cycle, e.g. by moving the shared steps into a stage above them.' },
  DKR007: { severity: 'hint', message: 'Nothing uses stage `{name}`: BuildKit skips it when it builds the final stage, so its work never happens unless you build it with `--target {name}`. Copy from it, build FROM it, or remove it.', tags: ['unnecessary'] },
  // What an LTSP image build needs.
  DKR008: { severity: 'warning', message: 'Image stage `{stage}` never installs a kernel{where}, so clients have nothing to boot: LTSP serves the kernel and initramfs found inside the image. Install one, e.g. `{fix}`.' },
  DKR009: { severity: 'warning', message: 'Image stage `{stage}` gets a kernel ({kernel}) but never builds an initramfs for it, and a netboot client cannot mount its root without one. Run `{fix}` after the kernel and the LTSP client packages are in place.' },
  DKR010: { severity: 'error', message: '`{tool}` runs here, but the chroot it enters is only created below (`{creator}`, line {line}): the build fails at this line. Move the `{creator}` step above it.' },
  DKR011: { severity: 'warning', message: '`{tool}` enters a chroot{dir} that neither this stage nor the stages it is built FROM create (debootstrap, ltsp-build-client or a COPY into it){elsewhere}: unless base image `{base}` ships one, the build fails here. Create the chroot first, or build this stage FROM the stage that does.' },
  DKR012: { severity: 'warning', message: 'No stage makes a squashfs image, so the clients have no root file system to mount. End image stage `{stage}` with `{fix}`.' },
  DKR013: { severity: 'warning', message: 'The final stage does not copy {missing} from the image build, so the image this Dockerfile produces cannot boot a client. Add {copies}.' },
  DKR014: { severity: 'warning', message: 'Kernel modules are built here for kernel `{version}`, {reason}. Modules only load into the kernel they were built for: {fix}.' },
  DKR015: { severity: 'warning', message: '`{what}` builds an initramfs with only the drivers of the build machine; netboot clients are other machines, and without their network driver they cannot fetch their root. Use `MODULES=netboot` (or `most`; for dracut, `--no-hostonly`).' },
  DKR016: { severity: 'warning', message: '`{command}` without `-y` asks for confirmation, which a `docker build` cannot give: apt aborts as soon as it has more to install than you named. Add `-y`.' },
  DKR017: { severity: 'warning', message: 'The package lists downloaded by this `{command}` (tens of MB) are still in the tree when `{tool}` (line {line}) compresses it, so the image every client boots from carries them. Remove them before that: `rm -rf {lists}`.' },
  DKR018: { severity: 'warning', message: 'This {where} holds {secret} in plain text: it stays in the image layers and their history, and in the squashfs that every node downloads. Pass it at build time with `RUN --mount=type=secret`, or at boot time (a Kubernetes Secret).' },
} as const satisfies RuleCatalog<string>;

export type DockerfileCode = keyof typeof dockerfileRules;
