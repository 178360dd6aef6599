/**
 * daemon/fs-error.ts on errors the real file system raises: each known errno in plain words with
 * the code kept in brackets; an error without a code keeps its own message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { describeFsError, errnoName } from '../../daemon/fs-error.js';

const dir = mkdtempSync(join(tmpdir(), 'vsnapd-fs-error-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'file'), 'x');
mkdirSync(join(dir, 'folder'));

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const cases: Array<[string, () => unknown, RegExp]> = [
  ['missing file', () => readFileSync(join(dir, 'missing')), /^cannot read x .*: it does not exist, or a folder on its way does not \[ENOENT\]$/],
  ['a folder read as a file', () => readFileSync(join(dir, 'folder')), /: it is a folder, not a file \[EISDIR\]$/],
  ['a file used as a folder', () => readFileSync(join(dir, 'file', 'inner')), /: a part of the path is a file, not a folder \[ENOTDIR\]$/],
  ['a 300-byte name', () => readFileSync(join(dir, 'n'.repeat(300))), /: the path is too long \(at most 4095 bytes, and 255 bytes per name\) \[ENAMETOOLONG\]$/],
  ['an existing folder made again', () => mkdirSync(join(dir, 'folder')), /: something with that name is already there \[EEXIST\]$/],
];
for (const [name, fn, want] of cases) {
  t.test(name, async (t) => {
    const err = thrown(fn);
    t.type(errnoName(err), 'string');
    t.match(describeFsError(err, 'cannot read x', join(dir, 'p')), want);
  });
}

t.test('an error without an errno keeps its message', async (t) => {
  t.equal(describeFsError(new Error('boom'), 'cannot write', '/p'), 'cannot write /p: boom');
  t.equal(errnoName(new Error('boom')), undefined);
  t.equal(describeFsError('plain', 'cannot write', '/p'), 'cannot write /p: plain');
});
