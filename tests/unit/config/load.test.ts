import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { overridesFromEnv, parseCommandLine } from '../../../daemon/config/command-line.js';
import { ConfigError } from '../../../daemon/config/errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../daemon/config/load.js';
import { readSection } from '../../../daemon/config/section.js';

const dir = mkdtempSync(join(tmpdir(), 'vsnapd-cfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

t.test('defaults come from the shipped etc/vsnapd.json', async (t) => {
  const c = loadConfig({}, {});
  t.equal(c.configFile, DEFAULT_CONFIG_FILE);
  t.match(c, { host: '127.0.0.1', port: 6080, logLevel: 'info', api: { max_frame_bytes: 16777216, max_concurrent_calls: 20, allowed_origins: [], validate_results: false } });
});

t.test('precedence: flags > env > file > defaults; file paths relative to the file', async (t) => {
  const f = file('p.json', { listen: { host: '::1', port: 7001, socket: 'rel.sock' }, data_dir: 'data', log_level: 'warn' });
  const fromFile = loadConfig({ config: f }, {});
  t.match(fromFile, { host: '::1', port: 7001, socketPath: join(dir, 'rel.sock'), dataDir: join(dir, 'data'), logLevel: 'warn' });
  const fromEnv = loadConfig({}, overridesFromEnv({ VSNAPD_CONFIG: f, VSNAPD_PORT: '7002', VSNAPD_HOST: '0.0.0.0', VSNAPD_LOG_LEVEL: 'debug', VSNAPD_SOCKET: '/tmp/e.sock', VSNAPD_DATA_DIR: '/tmp/e' }));
  t.match(fromEnv, { host: '0.0.0.0', port: 7002, logLevel: 'debug', socketPath: '/tmp/e.sock', dataDir: '/tmp/e' });
  const flags = parseCommandLine(['--port', '7003', '--host', '127.0.0.2', '--log-level', 'error', '--socket', 'f.sock', '--data-dir', 'fd']).flags;
  const fromFlags = loadConfig(flags, overridesFromEnv({ VSNAPD_CONFIG: f, VSNAPD_PORT: '7002', VSNAPD_LOG_LEVEL: 'nonsense' }), '/srv');
  t.match(fromFlags, { host: '127.0.0.2', port: 7003, logLevel: 'error', socketPath: '/srv/f.sock', dataDir: '/srv/fd' });
  t.same(overridesFromEnv({ VSNAPD_PORT: '' }).port, undefined, 'empty variables count as unset');
});

t.test('errors name the source and attribute', async (t) => {
  const cases: [() => unknown, RegExp][] = [
    [() => loadConfig({ config: file('a.json', { listen: { port: 'x' } }) }, {}), /a\.json: listen\.port: Invalid input: expected number/],
    [() => loadConfig({ config: file('b.json', { api: { max_frame_bytes: 10 } }) }, {}), /b\.json: api\.max_frame_bytes: Too small/],
    [() => loadConfig({ config: file('c.json', { jobs: { grace: 1 } }) }, {}), /c\.json: jobs\.grace: unknown setting/],
    [() => loadConfig({ config: file('d.json', '{') }, {}), /d\.json: not valid JSON/],
    [() => loadConfig({ config: file('e.json', 'null') }, {}), /must hold a JSON object/],
    [() => loadConfig({ config: join(dir, 'nope.json') }, {}), /cannot read the config file .*nope\.json: it does not exist.*\[ENOENT\]/],
    [() => loadConfig({ port: '65536' }, {}), /--port: expected a TCP port number 0–65535, got "65536"/],
    [() => loadConfig({}, { port: '-1' }), /VSNAPD_PORT: expected a TCP port/],
    [() => loadConfig({}, { logLevel: 'loud' }), /VSNAPD_LOG_LEVEL: expected one of fatal/],
    [() => loadConfig({ host: ' ' }, {}), /--host: the listen address must not be empty/],
    [() => loadConfig({ socket: `/tmp/${'x'.repeat(120)}.sock` }, {}), /--socket: socket path .* longer than 107 bytes/],
    [() => parseCommandLine(['--bogus']), /Unknown option '--bogus'/],
    [() => parseCommandLine(['run', 'extra']), /unexpected argument/],
  ];
  for (const [fn, message] of cases) t.throws(fn, { name: 'ConfigError', message }, String(message));
  t.equal(parseCommandLine(['hash-password']).command, 'hash-password');
  t.equal(parseCommandLine(['-h']).command, 'help');
});

t.test('plugin sections: defaults apply, errors name file and attribute', async (t) => {
  const c = loadConfig({ config: file('s.json', { vmware: { timeout: 'slow' }, other: { n: 1 } }) }, {});
  const schema = z.strictObject({ timeout: z.number().default(30) });
  t.throws(() => readSection(c, 'vmware', schema), new ConfigError(`${join(dir, 's.json')}: vmware.timeout: Invalid input: expected number, received string`));
  t.same(readSection(c, 'absent', schema), { timeout: 30 });
  t.throws(() => readSection(c, 'other', schema), /other\.n: unknown setting/);
});
