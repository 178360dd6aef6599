// The import boundaries of .dependency-cruiser.cjs, checked with dependency-cruiser: the source tree
// keeps every rule (no cycles; vsphere/ imports no application code and its layers import only lower
// ones; pool does not import vmware; daemon/ imports no plugin but the plugin list in its composition
// root; client/ imports only the two dependency-free wire facts of daemon/), and each rule does fire
// on a tree that breaks it (tests/fixtures/boundaries/, one file per broken rule).
import { join } from 'node:path';
import t from 'tap';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { REPO_ROOT } from '../../helpers/daemon.js';

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');
const SOURCE_FOLDERS = ['daemon', 'client', 'plugins', 'vsphere'];

/** Cruises `folders` below `baseDir` with the repository's rules; resolves the violations. */
async function violations(baseDir: string, folders: readonly string[]): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfig = extractTSConfig(join(REPO_ROOT, 'tsconfig.json'));
  const { output } = await cruise([...folders], { ...options, baseDir, validate: true }, { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] }, { tsConfig });
  if (typeof output === 'string') throw new Error(`dependency-cruiser answered text, not a result: ${output.slice(0, 200)}`);
  return (output as ICruiseResult).summary.violations;
}

/** `rule: from → to` (a cycle: its path), one line per violation. */
function describe(v: IViolation): string {
  const path = v.cycle?.map((c) => c.name).join(' → ');
  return `${v.rule.name}: ${v.from} → ${path ?? v.to}`;
}

t.test('the source tree keeps every import boundary', async (t) => {
  const found = await violations(REPO_ROOT, SOURCE_FOLDERS);
  t.same(found.map(describe), [], 'no dependency-cruiser violation in daemon/, client/, plugins/, vsphere/');
});

t.test('each rule fires on a tree that breaks it', async (t) => {
  const found = (await violations(join(REPO_ROOT, 'tests/fixtures/boundaries'), SOURCE_FOLDERS)).map(describe).sort();
  t.same(found, [
    'client-is-standalone: client/client.ts → daemon/core.ts',
    'composition-root-imports-only-the-plugin-list: daemon/main.ts → plugins/vmware/vmware.ts',
    'daemon-does-not-import-plugins: daemon/core.ts → plugins/pool/pool.ts',
    'no-cycles: plugins/cycle-a.ts → plugins/cycle-b.ts → plugins/cycle-a.ts',
    'pool-does-not-import-vmware: plugins/pool/pool.ts → plugins/vmware/vmware.ts',
    'shared-wire-facts-are-leaves: daemon/errors.ts → daemon/core.ts',
    'vsphere-is-a-library: vsphere/lib.ts → daemon/core.ts',
    'vsphere-layer-types: vsphere/types/value.ts → vsphere/tasks/task.ts',
  ]);
});
