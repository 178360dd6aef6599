/**
 * The release artifact follows Debian's conventions: `lintian` (Debian's package checker, at its
 * default level) reports 0 errors and 0 warnings on the .deb `npm run package` builds. The only
 * overrides allowed are the bundled Node.js runtime's (/usr/lib/vsnapd/node), each with a one-line
 * reason comment above it. Also checked: the manual pages, the changelog and the DEP-5 copyright
 * file that lintian asks for are there and say what they should.
 * Built with gzip instead of the release's xz to keep the test quick (lintian refuses an uncompressed
 * .deb; the contents are the same). deb.test.ts builds its own, uncompressed: it installs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { sharedDeb } from '../../helpers/shared-deb.js';
import { childEnv } from '../../helpers/daemon.js';

const exec = promisify(execFile);

// Building (tsc, the esbuild bundle, strip, dpkg-deb) and lintian's pass over the ~100 MB tree take a few minutes on a busy 2-core machine.
t.setTimeout(600_000);

const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-lintian-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('lintian: no error, no warning; overrides only for the bundled Node runtime, each with its reason', async (t) => {
  const deb = await sharedDeb();
  // --no-cfg: this machine's lintianrc must not change the verdict. With --show-overrides lintian
  // also exits non-zero for an overridden error, so the verdict is read from the tags it prints:
  // E: error, W: warning, O: overridden.
  const out = await exec('lintian', ['--no-cfg', '--display-level', '>=warning', '--show-overrides', deb.path], { env: childEnv(), maxBuffer: 16 << 20 }).then(
    (ok) => ok.stdout,
    (e: { code: number; stdout: string; stderr: string }) => {
      if (e.code !== 2) throw new Error(`lintian failed (exit ${e.code}): ${e.stderr}`);
      return e.stdout;
    },
  );
  const tags = out.split('\n').filter((l) => /^[EWO]: /.test(l));
  const errors = tags.filter((l) => l.startsWith('E: '));
  const warnings = tags.filter((l) => l.startsWith('W: '));
  const overridden = tags.filter((l) => l.startsWith('O: '));
  t.comment(`lintian ${deb.path}: ${errors.length} errors, ${warnings.length} warnings, ${overridden.length} overridden`);
  t.same(errors, [], 'no lintian error');
  t.same(warnings, [], 'no lintian warning');
  t.ok(overridden.length > 0, 'the overrides are used (lintian reports each as O:)');
  for (const o of overridden) t.match(o, /\[usr\/lib\/vsnapd\/node\]$/, `overrides concern the bundled Node runtime only: ${o}`);

  // Each override line has a comment right above it (its reason), as the overrides file says.
  const root = join(tmp, 'root');
  await exec('dpkg-deb', ['-x', deb.path, root]);
  const lines = readFileSync(join(root, 'usr/share/lintian/overrides/vsnapd'), 'utf8').split('\n');
  const overrides = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.startsWith('vsnapd: '));
  t.equal(overrides.length, overridden.length, 'every override in the file is one lintian used');
  for (const { l, i } of overrides) t.match(lines[i - 1] ?? '', /^# \S.{10,}/, `reason comment above: ${l}`);

  // What lintian asked for, with the content it should have.
  const doc = join(root, 'usr/share/doc/vsnapd');
  const copyright = readFileSync(join(doc, 'copyright'), 'utf8');
  t.match(copyright, /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/$/m, 'DEP-5 copyright');
  t.match(copyright, /^Files: \*\nCopyright: .*vsnapd developers\nLicense: BSD-2-Clause$/m, "vsnapd's own licence");
  t.match(copyright, /^Files: usr\/lib\/vsnapd\/node$/m, 'the Node runtime has its paragraph');
  for (const dep of ['pino', 'ws', 'zod', 'undici', 'prom-client']) t.match(copyright, new RegExp(`^ ${dep} \\d+\\.\\d+\\.\\d+ \\(`, 'm'), `bundled ${dep} listed`);
  for (const licence of ['Expat', 'Apache-2.0', 'ISC', 'BSD-3-Clause']) t.match(copyright, new RegExp(`^License: ${licence}\\n`, 'm'), `${licence} text given`);
  t.match(readFileSync(join(doc, 'NODE-LICENSE.txt'), 'utf8'), /^Node\.js is licensed for use as follows:/, "the runtime's LICENSE file");
  const changelog = gunzipSync(readFileSync(join(doc, 'changelog.gz'))).toString();
  t.match(changelog, new RegExp(`^vsnapd \\(${deb.version.replaceAll('.', '\\.')}\\) `), 'the changelog starts with this version');
  for (const [page, name] of [['man8/vsnapd.8.gz', 'VSNAPD'], ['man1/midclt.1.gz', 'MIDCLT']] as const) {
    const roff = gunzipSync(readFileSync(join(root, 'usr/share/man', page))).toString();
    t.match(roff, new RegExp(`^\\.TH ${name} `, 'm'), `manual page ${page}`);
  }
});
