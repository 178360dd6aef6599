/**
 * Log formats: under systemd (journal stream) every line starts with the syslog priority of its level
 * (sd-daemon(3) `<N>` prefixes, so `journalctl -p err` works); on a terminal lines are readable; in
 * both, secrets stay redacted. `$JOURNAL_STREAM` is honoured only when it names the descriptor's own
 * device and inode.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../daemon/log.js';
import { isJournalStream, type LogFormat } from '../../daemon/log-format.js';

const SECRET = 'Hunter2-secret-7f3a';

function capture(format: LogFormat): { log: ReturnType<typeof createLogger>; lines: () => string[] } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
  return { log: createLogger('trace', sink, format), lines: () => text.trimEnd().split('\n') };
}

t.test('journal: syslog priority prefixes per level, message and fields, secrets redacted', async (t) => {
  const { log, lines } = capture('journal');
  const child = log.child({ component: 'vmware', entry: { hostname: 'vc1', password: SECRET } });
  child.trace('t');
  child.debug('d');
  child.info({ url: 'ws://127.0.0.1:6000/api/current' }, 'vsnapd ready');
  child.warn({ reason: 'two words' }, 'w');
  child.error({ err: Object.assign(new Error('login failed\nsecond line'), { password: SECRET }) }, 'vCenter login failed');
  child.fatal('f');
  const out = lines();
  t.equal(out.length, 6, 'one line per record (newlines inside values are escaped)');
  t.same(
    out.map((l) => l.slice(0, 3)),
    ['<7>', '<7>', '<6>', '<4>', '<3>', '<2>'],
    'trace/debug 7, info 6, warn 4, error 3, fatal 2',
  );
  t.equal(out[2], '<6>vsnapd ready component=vmware entry={"hostname":"vc1","password":"********"} url=ws://127.0.0.1:6000/api/current');
  t.match(out[3], / reason="two words"$/, 'values with spaces are JSON strings');
  t.match(out[4], /^<3>vCenter login failed .*err=\{"type":"Error","message":"login failed\\nsecond line","stack":"Error: login failed\\nsecond line\\n/);
  t.notMatch(out.join('\n'), SECRET, 'no secret in any line');
  t.notMatch(out.join('\n'), /"?time"?[=:]|"?pid"?[=:]/, 'no time or pid (journald records them)');
});

t.test('text (a terminal): time, level name, message, fields', async (t) => {
  const { log, lines } = capture('text');
  log.warn({ task: 3, apiKey: SECRET }, 'snapshot task late');
  t.match(lines()[0], /^\d\d:\d\d:\d\d\.\d{3} WARN  snapshot task late task=3 apiKey=\*{8}$/);
});

t.test('JOURNAL_STREAM counts only when it names the descriptor itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-journal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fd = openSync(join(dir, 'out'), 'w');
  const other = openSync(join(dir, 'other'), 'w');
  t.teardown(() => [fd, other].forEach((f) => closeSync(f)));
  const st = fstatSync(fd);
  t.ok(isJournalStream(fd, { JOURNAL_STREAM: `${st.dev}:${st.ino}` }), 'its own device:inode');
  t.notOk(isJournalStream(other, { JOURNAL_STREAM: `${st.dev}:${st.ino}` }), 'inherited, naming another stream');
  t.notOk(isJournalStream(fd, {}), 'unset');
  t.notOk(isJournalStream(fd, { JOURNAL_STREAM: 'garbage' }), 'malformed');
});
