import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client } from '../../client/index.js';
for (const flags of [[], ['--interrupt-budget=500000'], [], ['--interrupt-budget=500000']]) {
  const T = mkdtempSync(join(tmpdir(), 'cmp-'));
  const c = JSON.parse(readFileSync('/work/main/etc/vsnapd.json', 'utf8'));
  Object.assign(c, { listen: { host: '127.0.0.1', port: 0, socket: join(T, 's.sock') }, data_dir: join(T, 'data') });
  writeFileSync(join(T, 'c.json'), JSON.stringify(c));
  const child = spawn('node', ['--max-semi-space-size=1', '--v8-pool-size=1', ...flags, '/work/main/dist/daemon/main.js', '--config', join(T, 'c.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => { let o = ''; child.stdout.on('data', (d) => { o += d; if (o.includes('vsnapd ready')) r(); }); });
  const client = await Client.connect({ socketPath: join(T, 's.sock') } as never);
  for (let i = 0; i < 20; i++) await client.call('api_key.create', [{ name: `k${i}` }]).catch(() => {});
  const t0 = performance.now();
  for (let i = 0; i < 3000; i++) await client.call('core.get_methods');
  const t1 = performance.now();
  for (let i = 0; i < 20000; i++) await client.call('api_key.query', [[['name', '~', '^k1']]]);
  const t2 = performance.now();
  console.log(flags.join(' ') || 'default', 'get_methods x3000', (t1 - t0).toFixed(0), 'ms; api_key.query x20000', (t2 - t1).toFixed(0), 'ms');
  await client.close(); child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(T, { recursive: true, force: true });
}
