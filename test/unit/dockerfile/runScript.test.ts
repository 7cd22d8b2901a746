import assert from 'node:assert/strict';
import { Run } from 'dockerfile-ast';
import { LineIndex } from '../../../server/src/lang/core/text';
import { parseDockerfile } from '../../../server/src/lang/dockerfile/stageGraph';
import { bothEols, marked } from '../../support/markers';

/** What the RUN lines of a file run, as `name args` strings, with `@dir` for a chroot. */
function commands(text: string): string[] {
  const doc = parseDockerfile(text);
  return doc.ast
    .getInstructions()
    .filter((i): i is Run => i instanceof Run)
    .flatMap((run) => doc.scripts.get(run)?.commands ?? [])
    .map((c) => [c.chroot ? `@${c.chroot.dir ?? 'ltsp'}` : '', c.name, ...c.args.map((a) => a.text)].filter(Boolean).join(' '));
}

bothEols('continuations, comment lines inside them, operators and wrappers', (eol) => {
  const { text } = marked('FROM x\nRUN sudo -u root env A=1 apt-get -y update \\\n  # apt-get purge everything\n && DEBIAN_FRONTEND=noninteractive apt-get install -y a b; echo ok | tee /log 2>&1 >/dev/null\n', eol);
  assert.deepEqual(commands(text), ['apt-get -y update', 'apt-get install -y a b', 'echo ok', 'tee /log']);
});

bothEols('ltsp-chroot, chroot DIR and sh -c are seen through, quoted scripts included', (eol) => {
  const { text } = marked("FROM x\nRUN ltsp-chroot -a amd64 sh -cx \\\n  'apt-get -y update \\\n  && KERNEL=\"$(ls -1t /lib/modules | head -n1)\" dkms install m -k \"$KERNEL\"'\nRUN chroot /rootfs /bin/bash -c \"update-initramfs -u\"\n", eol);
  assert.deepEqual(commands(text).slice(1), [
    '@ltsp apt-get -y update',
    '@ltsp ls -1t /lib/modules',
    '@ltsp head -n1',
    '@ltsp dkms install m -k $KERNEL',
    'chroot /rootfs /bin/bash -c update-initramfs -u',
    '@/rootfs update-initramfs -u',
  ]);
  const doc = parseDockerfile(text);
  const run = doc.ast.getInstructions()[1] as Run;
  assert.equal(doc.scripts.get(run)?.assignments.get('KERNEL'), '$(ls -1t /lib/modules | head -n1)');
});

bothEols('a RUN heredoc is a script: its chroot and its comments are read as shell', (eol) => {
  const { text, ranges } = marked('FROM x\nRUN <<EOF\nset -e\n# ltsp-chroot would be a comment\n⟦chroot⟧ /rootfs apt-get install -y linux-image-amd64\nEOF\n', eol);
  assert.deepEqual(commands(text), ['set -e', 'chroot /rootfs apt-get install -y linux-image-amd64', '@/rootfs apt-get install -y linux-image-amd64']);
  const doc = parseDockerfile(text);
  const chroot = [...doc.scripts.values()][0]!.commands[1]!;
  const index = new LineIndex(text);
  assert.deepEqual({ start: index.positionAt(chroot.nameWord.start), end: index.positionAt(chroot.nameWord.end) }, ranges[0]);
});

bothEols('a heredoc fed to a shell inside the chroot runs there; one fed to cat is data', (eol) => {
  const { text } = marked('FROM x\nRUN ltsp-chroot bash -e <<EOF\napt-get -y install linux-generic\nEOF\nRUN cat > /etc/initramfs-tools/conf.d/x <<EOF\nchroot /nowhere rm -rf /\nEOF\n', eol);
  assert.deepEqual(commands(text), ['ltsp-chroot bash -e', '@ltsp apt-get -y install linux-generic', 'cat']);
});

bothEols('LTSP 20+ applets are named with the applet, after the global options', (eol) => {
  const { text } = marked('FROM x\nRUN ltsp --base-dir /x image -c 0 / && ltsp kernel img && ltsp-update-image --cleanup\n', eol);
  assert.deepEqual(commands(text), ['ltsp image -c 0 /', 'ltsp kernel img', 'ltsp-update-image --cleanup']);
});

bothEols('the JSON form of RUN is read from the text between the quotes', (eol) => {
  const { text } = marked('FROM x\nRUN ["/bin/sh", "-c", "ltsp-update-image && mksquashfs /a /b.img"]\n', eol);
  assert.deepEqual(commands(text), ['ltsp-update-image', 'mksquashfs /a /b.img']);
});

bothEols('unbalanced quotes and substitutions do not throw', (eol) => {
  for (const source of ['FROM x\nRUN echo "unclosed\n', "FROM x\nRUN echo 'unclosed\n", 'FROM x\nRUN echo $(unclosed\n', 'FROM x\nRUN echo `unclosed\n', 'FROM x\nRUN echo ${x\n', 'FROM x\nRUN \\\n']) {
    assert.doesNotThrow(() => commands(marked(source, eol).text));
  }
});
