/**
 * The manual pages (packaging/man/vsnapd.8, midclt.1; installed gzipped by the .deb) keep up with
 * the programs: every option and command the real `vsnapd --help` and `midclt --help` print is
 * documented in its page (roff writes `-` as `\-`), and man renders both pages without a warning
 * (`man --warnings`, as lintian runs it).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { REPO_ROOT, childEnv, runDaemonCommand, runMidclt } from '../../helpers/daemon.js';

const exec = promisify(execFile);

/** The page's text as a reader sees the words: roff's `\-` is `-`. */
const page = (name: string) => readFileSync(join(REPO_ROOT, 'packaging/man', name), 'utf8').replaceAll('\\-', '-');

/** The long options (`--name`) and commands (lines starting with two spaces then a word) of a usage text. */
function usageWords(usage: string, commands: RegExp): string[] {
  return [...new Set([...usage.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).concat([...usage.matchAll(commands)].map((m) => m[1]!)))];
}

for (const [program, file, help, commands] of [
  ['vsnapd', 'vsnapd.8', () => runDaemonCommand(['--help']), /^\s+vsnapd ([a-z-]+)/gm],
  ['midclt', 'midclt.1', () => runMidclt(['--help']), /^ {2}([a-z]+) /gm],
] as const) {
  t.test(`${file} documents every option and command of ${program} --help`, async (t) => {
    const r = await help();
    t.equal(r.code, 0, `${program} --help`);
    const words = usageWords(r.stdout + r.stderr, commands);
    t.ok(words.length >= 6, `${words.length} options and commands in the usage: ${words.join(' ')}`);
    const text = page(file);
    for (const w of words) t.ok(text.includes(w), `${file} mentions ${w}`);
  });
}

t.test('man renders both pages without a warning', async (t) => {
  for (const file of ['vsnapd.8', 'midclt.1']) {
    const r = await exec('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', join(REPO_ROOT, 'packaging/man', file)], {
      env: childEnv({ LC_ALL: 'C.UTF-8', MANROFFSEQ: '', MANWIDTH: '80' }),
      maxBuffer: 8 << 20,
    });
    t.equal(r.stderr, '', `${file}: no warning from man/groff`);
    t.ok(r.stdout.length > 1000, `${file} renders`);
  }
});
