// The variable catalogs and the mount knowledge are data that validation,
// completion and hover trust blindly, so this suite checks the data itself:
// schema validity, family patterns, unambiguous lookup, and that no variable
// of the gathered reference was dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { VariableCatalog, type CatalogData, type VariableInfo } from '../../server/src/lang/core/catalog';

const schemasDir = join(import.meta.dirname, '..', '..', 'schemas');
const readJson = (name: string): unknown => JSON.parse(readFileSync(join(schemasDir, name), 'utf8'));

interface MountOption {
  name: string;
  doc: string;
  value: boolean | 'optional';
  values?: string[];
  appliesTo?: string[];
}
interface MountsData {
  filesystems: { name: string; doc: string; network: boolean }[];
  options: MountOption[];
}

const catalogs: { file: string; language: string; caseInsensitive: boolean; reference: readonly string[] }[] = [
  { file: 'lts-conf.json', language: 'ltsconf', caseInsensitive: true, reference: [] },
  { file: 'ltsp-conf.json', language: 'ltspconf', caseInsensitive: false, reference: [] },
];

const REFERENCE_LTS_CONF: readonly string[] = [
  'CONFIGURE_FSTAB', 'FSTAB_*', 'NFS_HOME', 'NFS_HOME_OPTIONS', 'CRONTAB_*', 'SHUTDOWN_TIME', 'RCFILE_*',
  'INIT_COMMAND_*', 'PREINIT_*', 'MODULE_*', 'HOSTS_*', 'HOSTNAME', 'HOSTNAME_BASE', 'HOSTNAME_EXTRA', 'SERVER_NAME',
  'SERVER', 'DNS_SERVER', 'SEARCH_DOMAIN', 'SYSLOG_HOST', 'TIMEZONE', 'TIMESERVER', 'HWCLOCK', 'USE_LOCAL_SWAP',
  'NBD_SWAP', 'NBD_SWAP_THRESHOLD', 'NBD_SWAP_HOST', 'NBD_SWAP_SERVER', 'NBD_SWAP_PORT', 'ENCRYPT_SWAP',
  'LTSP_FATCLIENT', 'FAT_RAM_THRESHOLD', 'LTSP_RW_DIRS', 'LTSP_RW_DIRS_EXTRA', 'LTSP_COPY_DIRS',
  'LTSP_COPY_DIRS_EXTRA', 'LTSP_BINDFILES', 'LTSP_BINDFILES_EXTRA', 'KEEP_SYSTEM_SERVICES', 'RM_SYSTEM_SERVICES',
  'RM_THIN_SYSTEM_SERVICES', 'RM_LOW_RAM_SERVICES', 'RM_RAM_THRESHOLD', 'RM_SESSION_SERVICES', 'KEEP_SESSION_SERVICES',
  'DEFAULT_DISPLAY_MANAGER', 'DISABLE_GETTYS', 'OVERLAY_DIR', 'NET_DEVICE_METHOD', 'UDEV_SEAT_*', 'LTSCONF',
  'PROCESS_LTS_CONF', 'HOST_TO_USERNAME', 'LTSP_NBD_TO_RAM', 'SCREEN_*', 'SCREEN_DEFAULT', 'SCREEN_<nn>_*',
  'WAIT_FGCONSOLE', 'TELNET_HOST', 'TELNET_ARGS', 'SSH_HOST', 'SSH_USER', 'XDM_SERVER', 'DISABLE_ACCESS_CONTROL',
  'RDP_SERVER', 'RDP_OPTIONS', 'KIOSK_EXE', 'KIOSK_WM', 'KIOSK_OPTIONS', 'KIOSK_DAEMON', 'MENU_TITLE', 'MENU_ITEM_*',
  'MENU_COMMAND_*', 'XINITRC_DAEMON', 'CONFIGURE_X', 'X_CONF', 'XSERVER', 'X_COLOR_DEPTH', 'X_SMART_COLOR_DEPTH',
  'X_RAMPERC', 'X_VIRTUAL', 'X_VIRTUAL_AUTO', 'X_HORZSYNC', 'X_HORIZSYNC', 'X_VERTREFRESH', 'X_VIDEO_RAM',
  'X_OPTION_*', 'X_MONITOR_OPTION_*', 'X_MODE_*', 'X_MOUSE_DEVICE', 'X_MOUSE_PROTOCOL', 'X_MOUSE_EMULATE3BTN',
  'X_NUMLOCK', 'X_BLANKING', 'USE_XFS', 'XFS_SERVER', 'USE_TOUCH', 'X_TOUCH_DEVICE', 'X_TOUCH_DRIVER', 'X_TOUCH_MAXX',
  'X_TOUCH_MAXY', 'X_TOUCH_MINX', 'X_TOUCH_MINY', 'X_TOUCH_UNDELAY', 'X_TOUCH_RPTDELAY', 'XRANDR_DISABLE',
  'XRANDR_AUTO_MULTIHEAD', 'XRANDR_OUTPUT_*', 'XRANDR_MODE_*', 'XRANDR_NEWMODE_*', 'XRANDR_RATE_*', 'XRANDR_DPI_*',
  'XRANDR_ROTATE_*', 'XRANDR_REFLECT_*', 'XRANDR_SIZE_*', 'XRANDR_ORIENTATION_*', 'XKBLAYOUT', 'XKBMODEL',
  'XKBVARIANT', 'XKBRULES', 'XKBOPTIONS', 'CONSOLE_KEYMAP', 'SOUND', 'SOUND_DAEMON', 'VOLUME', 'PCM_VOLUME',
  '<CHANNEL>_VOLUME', '<CHANNEL>_SWITCH', 'VOLUME_MANUAL', 'HEADPHONE_VOLUME', 'CD_VOLUME', 'FRONT_VOLUME',
  'MIC_VOLUME', 'LOCALDEV', 'LOCALDEV_DENY_CD', 'LOCALDEV_DENY_FLOPPY', 'LOCALDEV_DENY_INTERNAL_DISKS',
  'LOCALDEV_DENY_USB', 'LOCALDEV_DENY', 'LOCAL_APPS', 'LOCAL_APPS_EXTRAMOUNTS', 'LOCAL_APPS_MENU',
  'LOCAL_APPS_MENU_ITEMS', 'LOCAL_APPS_WHITELIST', 'REMOTE_APPS', 'REMOTE_APPS_MENU_ITEMS', 'SSH_FOLLOW_SYMLINKS',
  'SSH_DISABLE_HARDLINK', 'CUPS_SERVER', 'SCANNER', 'PRINTER_<n>_DEVICE', 'PRINTER_<n>_PORT', 'PRINTER_<n>_TYPE',
  'PRINTER_<n>_WRITE_ONLY', 'PRINTER_<n>_SPEED', 'PRINTER_<n>_FLOWCTRL', 'PRINTER_<n>_PARITY', 'PRINTER_<n>_DATABITS',
  'PRINTER_<n>_OPTIONS', 'LDM_PRINTER_LIST', 'LDM_PRINTER_DEFAULT', 'LDM_AUTOLOGIN', 'LDM_USERNAME', 'LDM_PASSWORD',
  'LDM_PASSWORD_HASH', 'LDM_GUESTLOGIN', 'LDM_GUEST_SERVER', 'LDM_AUTOLOGIN_SERVER', 'LDM_SERVER', 'LDM_DIRECTX',
  'LDM_SYSLOG', 'LDM_LOGLEVEL', 'LDM_DEBUG', 'LDM_DEBUG_TERMINAL', 'LDM_LANGUAGE', 'LDM_FORCE_LANGUAGE', 'LDM_SESSION',
  'LDM_FORCE_SESSION', 'LDM_XSESSION', 'LDM_SSHOPTIONS', 'LDM_THEME', 'LDM_LOGIN_TIMEOUT', 'LDM_LIMIT_ONE_SESSION',
  'LDM_LIMIT_ONE_SESSION_PROMPT', 'LDM_USER_ALLOW', 'LDM_ALLOW_USER', 'LDM_NOMAD', 'LDM_XCOMPMGR', 'LDM_CLOCK_FORMAT',
  'LDM_GREETER', 'LDM_WINMANAGER', 'LDM_DEFAULT_BACKEND', 'LDM_FORCE_BACKEND', 'SSH_OVERRIDE_PORT',
  'NETWORK_COMPRESSION', 'LIKE', 'X_VIDEORAM', 'LOCAL_STORAGE', 'XF86CONFIG_FILE'
];

// The reference has 86 entries; `ltsp.<var>=<value> (kernel cmdline)` is a mechanism, not a variable, and is left out.
const REFERENCE_LTSP_CONF: readonly string[] = [
  'ADD_IMAGE_EXCLUDES', 'OMIT_IMAGE_EXCLUDES', 'AUTOLOGIN', 'RELOGIN', 'RELOGIN_TIMEOUT', 'GDM3_CONF', 'LIGHTDM_CONF',
  'SDDM_CONF', 'SLICK_CONF', 'LTSPDM_USERS', 'CRONTAB_x', 'CUPS_SERVER', 'DEBUG_LOG', 'DEBUG_SHELL', 'LTSP_DEBUG',
  'DEFAULT_IMAGE', 'KERNEL_PARAMETERS', 'MENU_TIMEOUT', 'IPXE_<IMG>', 'DISABLE_SESSION_SERVICES',
  'DISABLE_SYSTEM_SERVICES', 'KEEP_SESSION_SERVICES', 'KEEP_SYSTEM_SERVICES', 'MASK_SESSION_SERVICES',
  'MASK_SYSTEM_SERVICES', 'DNS_SERVER', 'FSTAB_x', 'HOSTNAME', 'HOSTS_x', 'IMAGE_TO_RAM', 'IMAGE', 'INCLUDE',
  'LOCAL_SWAP', 'MULTISEAT', 'UDEV_SEAT_n_x', 'NAT', 'OMIT_FUNCTIONS', 'PASSWORDS_x', 'PAM_AUTH_TYPE', 'SSH_SERVER',
  'SSH_OPTIONS', 'MKHOMEDIR', 'POST_APPLET_x', 'PRE_APPLET_x', 'PWMERGE_SUR', 'PWMERGE_SGR', 'PWMERGE_DUR',
  'PWMERGE_DGR', 'REMOTEAPPS', 'RPI_IMAGE', 'SEARCH_DOMAIN', 'SERVER', 'X_DRIVER', 'X_HORIZSYNC', 'X_MODELINE',
  'X_MODES', 'X_PREFERREDMODE', 'X_VERTREFRESH', 'X_VIRTUAL', 'BASE_DIR', 'TFTP_DIR', 'HOME_DIR', 'NFS_HOME',
  'NFS_TFTP', 'DNS', 'PROXY_DHCP', 'REAL_DHCP', 'TFTP', 'BACKUP', 'CLEANUP', 'IONICE', 'KERNEL_INITRD',
  'MKSQUASHFS_PARAMS', 'REVERT', 'OVERLAY', 'BINARIES', 'OVERWRITE', 'READ_AHEAD_KB', 'SYMLINK_SNAPS',
  'IGNORE_EPOPTES', 'ADMINISTRATIVE_CLIENT', 'BLACKLIST_MODULES', 'LTSP_SKIP_SCRIPTS', 'HOSTNAME_PREFIX',
  'HOSTNAME_SUFFIX'
];

catalogs[0]!.reference = REFERENCE_LTS_CONF;
catalogs[1]!.reference = REFERENCE_LTSP_CONF;

function validator(schemaFile: string) {
  const ajv = new Ajv({ allErrors: true });
  return ajv.compile(readJson(schemaFile) as object);
}

function describeErrors(errors: unknown): string {
  return JSON.stringify(errors, null, 2);
}

for (const { file, language, caseInsensitive, reference } of catalogs) {
  const data = readJson(file) as CatalogData;
  const flags = caseInsensitive ? 'i' : '';
  const fold = (name: string) => (caseInsensitive ? name.toUpperCase() : name);
  const families = data.variables.filter((v) => v.pattern !== undefined);
  const exact = data.variables.filter((v) => v.pattern === undefined);

  test(`${file} is valid against catalog.schema.json`, () => {
    const validate = validator('catalog.schema.json');
    assert.ok(validate(data), describeErrors(validate.errors));
    assert.equal(data.language, language);
    assert.equal(data.caseInsensitiveKeys, caseInsensitive);
  });

  test(`${file}: variable names are unique${caseInsensitive ? ' (ignoring case)' : ''}`, () => {
    const seen = new Map<string, string>();
    for (const v of data.variables) {
      const key = fold(v.name);
      assert.ok(!seen.has(key), `${v.name} duplicates ${seen.get(key)}`);
      seen.set(key, v.name);
    }
  });

  test(`${file}: every family pattern compiles and matches its own example`, () => {
    assert.ok(families.length > 0);
    for (const v of families) {
      let regex: RegExp;
      assert.doesNotThrow(() => (regex = new RegExp(v.pattern!, flags)), `${v.name}: bad pattern ${v.pattern}`);
      assert.ok(v.example, `${v.name}: a family needs an example`);
      assert.match(v.example!, regex!, `${v.name}: example ${v.example} does not match ${v.pattern}`);
    }
    for (const v of exact) assert.equal(v.example, undefined, `${v.name}: only families carry an example`);
  });

  test(`${file}: lookup is unambiguous (exact names first, then the narrowest family)`, () => {
    const catalog = new VariableCatalog(data);
    for (const v of exact) assert.equal(catalog.lookup(v.name), v, `${v.name} does not resolve to itself`);
    // A family example must resolve to its own family: a broader family listed earlier would swallow it.
    for (const v of families) assert.equal(catalog.lookup(v.example!)?.name, v.name, `${v.example} resolves to the wrong entry`);
    if (caseInsensitive) {
      for (const v of exact) assert.equal(catalog.lookup(v.name.toLowerCase()), v, `${v.name} in lower case`);
      for (const v of families) assert.equal(catalog.lookup(v.example!.toLowerCase())?.name, v.name, `${v.example} in lower case`);
    }
  });

  test(`${file}: exact names that a family also matches are documented members of that family`, () => {
    for (const v of exact) {
      const owner = families.find((f) => new RegExp(f.pattern!, flags).test(v.name));
      if (!owner) continue;
      assert.equal(v.type, owner.type, `${v.name} is matched by ${owner.name} but has another type`);
      assert.match(v.doc, new RegExp(owner.name.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&')), `${v.name} should say it belongs to ${owner.name}`);
    }
  });

  test(`${file}: no reference variable was dropped`, () => {
    const names = new Set(data.variables.map((v) => fold(v.name)));
    const missing = reference.filter((name) => !names.has(fold(name)));
    assert.deepEqual(missing, []);
    assert.ok(data.variables.length >= reference.length, `${data.variables.length} < ${reference.length}`);
  });

  test(`${file}: field combinations make sense`, () => {
    const catalog = new VariableCatalog(data);
    for (const v of data.variables as VariableInfo[]) {
      if (v.values && v.type !== 'enum') assert.equal(v.type, 'services', `${v.name}: values only for enum or services`);
      if (v.sense) {
        assert.equal(language, 'ltspconf', `${v.name}: sense is for ltsp.conf booleans`);
        assert.equal(v.type, 'boolean', `${v.name}: sense needs type boolean`);
      }
      if (language === 'ltspconf' && v.type === 'boolean') assert.ok(v.sense, `${v.name}: ltsp.conf booleans need a sense`);
      if (language === 'ltspconf') assert.ok(v.scope, `${v.name}: ltsp.conf variables need a scope`);
      if (v.minimum !== undefined && v.maximum !== undefined) assert.ok(v.minimum <= v.maximum, v.name);
      if (v.minimum !== undefined || v.maximum !== undefined) assert.equal(v.type, 'number', `${v.name}: ranges are for numbers`);
      if (v.valueDocs && v.values) for (const key of Object.keys(v.valueDocs)) assert.ok(v.values.includes(key), `${v.name}: valueDocs for unknown value ${key}`);
      if (v.status === 'keyword') assert.equal(v.type, 'section', `${v.name}: keywords here name sections`);
      // An alias or a manual-only spelling must point at a variable the catalog knows.
      if (v.status === 'alias' || v.status === 'doc-only') assert.ok(catalog.lookup(v.replacement!), `${v.name}: unknown replacement ${v.replacement}`);
      assert.ok(!/\s$/.test(v.doc) && !/^\s/.test(v.doc), `${v.name}: doc has stray whitespace`);
    }
  });
}

test('lts-conf.json: initramfs-only and patch-only facts are recorded', () => {
  const catalog = new VariableCatalog(readJson('lts-conf.json') as CatalogData);
  const toRam = catalog.lookup('LTSP_NBD_TO_RAM');
  assert.equal(toRam?.stage, 'initramfs');
  assert.deepEqual(toRam?.values, ['true']);
  const preinit = catalog.lookup('PREINIT_01');
  assert.equal(preinit?.status, 'patch-only');
  assert.equal(preinit?.replacement, 'INIT_COMMAND_*');
  assert.equal(catalog.lookup('XRANDR_MODE_01'), undefined, 'XRANDR_MODE_ takes a single digit');
  assert.equal(catalog.lookup('SCREEN_13'), undefined, 'screens are 01..12');
  assert.ok(catalog.lookup('KEEP_SYSTEM_SERVICES')?.values?.includes('nbd-server'));
});

test('ltsp-conf.json: the kernel command line mechanism is not a variable', () => {
  const data = readJson('ltsp-conf.json') as CatalogData;
  assert.ok(!data.variables.some((v) => v.name.startsWith('ltsp.')));
  const catalog = new VariableCatalog(data);
  assert.equal(catalog.lookup('PRE_INIT_XORG')?.name, 'PRE_APPLET_x');
  assert.equal(catalog.lookup('fstab_01'), undefined, 'ltsp.conf names are case-sensitive');
  assert.equal(catalog.lookup('UDEV_SEAT_10_SOUND'), undefined, 'the seat number is one digit');
  assert.equal(catalog.lookup('IMAGE_TO_RAM')?.sense, 'opt-in');
  assert.equal(catalog.lookup('LOCAL_SWAP')?.sense, 'opt-out');
});

test('mounts.json is valid against mounts.schema.json and self-consistent', () => {
  const data = readJson('mounts.json') as MountsData;
  const validate = validator('mounts.schema.json');
  assert.ok(validate(data), describeErrors(validate.errors));
  const fsNames = new Set<string>();
  for (const fs of data.filesystems) {
    assert.ok(!fsNames.has(fs.name), `duplicate file system ${fs.name}`);
    fsNames.add(fs.name);
  }
  const optionNames = new Set<string>();
  for (const option of data.options) {
    assert.ok(!optionNames.has(option.name), `duplicate option ${option.name}`);
    optionNames.add(option.name);
    for (const fs of option.appliesTo ?? []) assert.ok(fsNames.has(fs), `${option.name}: unknown file system ${fs}`);
    if (option.values) assert.notEqual(option.value, false, `${option.name}: a flag cannot list values`);
  }
  for (const fs of ['ext4', 'xfs', 'btrfs', 'vfat', 'nfs', 'nfs4', 'cifs', 'fuse.sshfs', 'tmpfs', 'overlay', 'swap', 'none', 'auto']) {
    assert.ok(fsNames.has(fs), `missing file system ${fs}`);
  }
  for (const name of ['defaults', 'nofail', '_netdev', 'x-systemd.automount', 'uid', 'vers', 'IdentityFile', 'allow_other']) {
    assert.ok(optionNames.has(name), `missing option ${name}`);
  }
  const value = (name: string) => data.options.find((o) => o.name === name)?.value;
  assert.equal(value('nofail'), false);
  assert.equal(value('uid'), true);
  for (const fs of data.filesystems) if (['nfs', 'nfs4', 'cifs', 'smb3', 'fuse.sshfs'].includes(fs.name)) assert.ok(fs.network, fs.name);
});
