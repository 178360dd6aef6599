/**
 * etc/vsnapd.json shows every setting with its default: each section of the shipped file equals what
 * its schema makes of an empty section, key for key (a new setting or a changed default must be
 * added to the file, and the README's Configuration section), and no section is unknown.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { z } from 'zod';
import { DEFAULT_CONFIG_FILE } from '../../../daemon/config/load.js';
import { CoreConfig } from '../../../daemon/config/schema.js';
import { AlertServiceConfig } from '../../../plugins/alertservice/config.js';
import { AuthConfig } from '../../../plugins/auth/schemas.js';
import { PoolConfig } from '../../../plugins/pool/index.js';
import { ZfsConfigSchema } from '../../../plugins/pool/zfs/index.js';
import { NfsConfig } from '../../../plugins/sharing/nfs/index.js';
import { VmwareConfigSchema } from '../../../plugins/vmware/config.js';

const shipped = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>;

const PLUGIN_SECTIONS: Record<string, z.ZodType> = {
  auth: AuthConfig,
  alertservice: AlertServiceConfig,
  zfs: ZfsConfigSchema,
  pool: PoolConfig,
  vmware: VmwareConfigSchema,
  nfs: NfsConfig,
};
const CORE_SECTIONS = ['listen', 'data_dir', 'log_level', 'api', 'jobs', 'metrics', 'audit'];

t.test('core sections: the file holds exactly the built-in defaults', async (t) => {
  const defaults = CoreConfig.parse({}) as Record<string, unknown>;
  for (const key of CORE_SECTIONS) t.same(shipped[key], defaults[key], key);
});

for (const [section, schema] of Object.entries(PLUGIN_SECTIONS)) {
  t.test(`plugin section ${section}: every setting, each with its default`, async (t) => {
    t.ok(section in shipped, `etc/vsnapd.json has a "${section}" section`);
    t.same(shipped[section], schema.parse({}), `"${section}" equals the schema's defaults`);
    t.same(schema.parse(shipped[section]), schema.parse({}), `"${section}" parses to the same defaults`);
  });
}

t.test('no other section (only _comment keys besides)', async (t) => {
  const known = new Set([...CORE_SECTIONS, ...Object.keys(PLUGIN_SECTIONS)]);
  t.same(Object.keys(shipped).filter((k) => !known.has(k) && !k.startsWith('_')), []);
});
