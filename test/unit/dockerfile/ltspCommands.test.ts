// The LTSP command knowledge is data that completion, hover and the image
// checks trust blindly, so this suite checks the data itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { lookupLtspCommand, ltspCommands, rolesOf, type LtspCommand } from '../../../server/src/lang/dockerfile/ltspCommands';

const schemas = join(__dirname, '..', '..', '..', 'schemas');
const read = (name: string): unknown => JSON.parse(readFileSync(join(schemas, name), 'utf8'));

test('ltsp-commands.json is valid against its schema', () => {
  const validate = new Ajv({ allErrors: true }).compile(read('ltsp-commands.schema.json') as object);
  assert.ok(validate(read('ltsp-commands.json')), JSON.stringify(validate.errors, null, 2));
});

test('the schema rejects what the checks could not use', () => {
  const validate = new Ajv({ allErrors: true }).compile(read('ltsp-commands.schema.json') as object);
  const good = read('ltsp-commands.json') as { commands: LtspCommand[]; tools: unknown[] };
  const bad = (command: Partial<LtspCommand> & Record<string, unknown>) => ({ ...good, commands: [{ ...good.commands[0]!, ...command }] });
  assert.equal(validate(bad({ generation: '6' as never })), false);
  assert.equal(validate(bad({ name: 'ltsp_image' })), false);
  assert.equal(validate(bad({ roles: ['compile' as never] })), false);
  assert.equal(validate(bad({ produces: ['relative/path'] })), false);
  assert.equal(validate(bad({ extra: 1 })), false);
});

test('every command the issue names is there, once, with its generation', () => {
  const names = ltspCommands.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  const expected: Record<string, LtspCommand['generation']> = {
    'ltsp-chroot': '5',
    'ltsp-build-client': '5',
    'ltsp-update-image': '5',
    'ltsp-update-kernels': '5',
    'ltsp-update-sshkeys': '5',
    'ltsp image': '20+',
    'ltsp kernel': '20+',
    'ltsp initrd': '20+',
    'ltsp ipxe': '20+',
    'ltsp nfs': '20+',
    'ltsp info': '20+',
  };
  for (const [name, generation] of Object.entries(expected)) assert.equal(lookupLtspCommand(name)?.generation, generation, name);
  // LTSP 5 lives under /opt/ltsp and /var/lib/tftpboot, LTSP 20+ under /srv.
  for (const c of ltspCommands) {
    for (const path of c.produces) assert.ok(c.generation === '5' ? !path.startsWith('/srv/') : !path.startsWith('/opt/ltsp'), `${c.name}: ${path}`);
  }
  assert.deepEqual(lookupLtspCommand('ltsp-update-image')?.produces[0], '/opt/ltsp/images');
  assert.deepEqual(lookupLtspCommand('ltsp image')?.produces[0], '/srv/ltsp/images');
  assert.deepEqual(lookupLtspCommand('ltsp kernel')?.produces, ['/srv/tftp/ltsp/<name>']);
});

test('the roles the image checks rely on', () => {
  assert.ok(rolesOf('ltsp-build-client').includes('chroot-create'));
  assert.ok(rolesOf('debootstrap').includes('chroot-create'));
  assert.ok(rolesOf('ltsp-chroot').includes('chroot-enter'));
  assert.ok(rolesOf('chroot').includes('chroot-enter'));
  for (const name of ['ltsp-update-image', 'ltsp image', 'mksquashfs']) assert.ok(rolesOf(name).includes('squashfs'), name);
  for (const name of ['update-initramfs', 'dracut']) assert.ok(rolesOf(name).includes('initramfs'), name);
  assert.deepEqual(rolesOf('apt-get'), []);
  assert.equal(lookupLtspCommand('ltsp-build-client')?.skipOption, '--skipimage');
  // Squashfs commands list the image first: the final-stage check suggests copying it.
  for (const c of ltspCommands.filter((x) => x.roles.includes('squashfs') && x.produces.length)) assert.match(c.produces[0]!, /images|\/opt\/ltsp\/<arch>$/, c.name);
});
