/**
 * The CLI adapter's command lines and parsing, with a scripted runner standing in for the binaries
 * (the real binaries are exercised in tests/integration/pool/zfs-adapter.test.ts).
 */
import t from 'tap';
import { createCliAdapter } from '../../../../../plugins/pool/zfs/cli-adapter.js';
import type { CommandRunner, RunOutput } from '../../../../../plugins/pool/zfs/runner.js';
import { mapZfsFailure } from '../../../../../plugins/pool/zfs/errors.js';
import { Errno } from '../../../../../daemon/errors.js';

type Script = (tool: string, args: readonly string[]) => RunOutput | string;

function fakeRunner(script: Script): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const answer = (tool: 'zfs' | 'zpool', args: readonly string[]): RunOutput => {
    calls.push(`${tool} ${args.join(' ')}`);
    const r = script(tool, args);
    return typeof r === 'string' ? { stdout: r, stderr: '', exitCode: 0 } : r;
  };
  const runner: CommandRunner = {
    async run(tool, args) {
      const r = answer(tool, args);
      if (r.exitCode !== 0) throw mapZfsFailure({ command: `${tool} ${args[0]}`, exitCode: r.exitCode, stderr: r.stderr, binary: tool });
      return r;
    },
    async probe(tool, args) {
      return answer(tool, args);
    },
    async countStdout(tool, args) {
      return Number(answer(tool, args).stdout);
    },
  };
  return { runner, calls };
}

/**
 * What a zfs answers to the adapter's two capability probes (`zfs list -p -d 0 …` and
 * `zfs get written vsnapd-probe-does-not-exist`); null for any other command.
 */
function probeAnswers(answers: { readonly list: RunOutput; readonly get: RunOutput }) {
  return (args: readonly string[]): RunOutput | null =>
    args[0] === 'list' && args.includes('-d') && args.includes('0')
      ? answers.list
      : args[0] === 'get' && args.includes('vsnapd-probe-does-not-exist')
        ? answers.get
        : null;
}

const openzfsProbe = probeAnswers({
  list: { stdout: 'tank\n', stderr: '', exitCode: 0 },
  get: { stdout: '', stderr: "cannot open 'vsnapd-probe-does-not-exist': dataset does not exist\n", exitCode: 1 },
});

const fuseProbe = probeAnswers({
  list: { stdout: '', stderr: "invalid option 'p'\nusage:\n", exitCode: 2 },
  get: { stdout: '', stderr: "bad property list: invalid property 'written'\n", exitCode: 2 },
});

t.test('OpenZFS: parsable list, -t snapshot, written property', async (t) => {
  const { runner, calls } = fakeRunner((_tool, args) => {
    const p = openzfsProbe(args);
    if (p) return p;
    if (args[0] === 'list') return 'tank\tfilesystem\t/mnt/tank\t1000\t2000\t100\ntank/vol\tvolume\t-\t10\t2000\t10\n';
    if (args[0] === 'get' && args.includes('written')) return '4096\n';
    if (args[0] === 'get') return 'tank@a\tcreation\t1700000000\t-\ntank@a\tused\t0\t-\ntank@a\treferenced\t100\t-\ntank@a\tcreatetxg\t42\t-\n';
    return '';
  });
  const zfs = createCliAdapter(runner);
  t.same(await zfs.capabilities(), { flavor: 'openzfs', parsableList: true, writtenProperty: true, volumes: true });
  const ds = await zfs.listDatasets({ root: 'tank' });
  t.same(ds[1], { name: 'tank/vol', pool: 'tank', type: 'VOLUME', mountpoint: null, used: 10, available: 2000, referenced: 10, children: [] });
  t.same(ds[0]?.children, ['tank/vol']);
  t.ok(calls.includes('zfs list -H -p -o name,type,mountpoint,used,available,referenced -t filesystem,volume -r tank'));
  const snaps = await zfs.listSnapshots({ dataset: 'tank', recursive: true });
  t.same(snaps[0], { name: 'tank@a', dataset: 'tank', snapshotName: 'a', pool: 'tank', createdMs: 1_700_000_000_000, used: 0, referenced: 100, createtxg: '42', userProperties: {} });
  t.ok(calls.includes('zfs get -H -p -o name,property,value,source -t snapshot -r all tank'));
  t.equal(await zfs.writtenBytes('tank@a'), 4096);
});

t.test('zfs-fuse: sizes via zfs get, emptiness via the send stream', async (t) => {
  const { runner, calls } = fakeRunner((_tool, args) => {
    const p = fuseProbe(args);
    if (p) return p;
    if (args[0] === 'list' && args.includes('snapshot')) return 'tank/d@a\ntank/d@b\ntank/d/c@a\n';
    if (args[0] === 'list') return 'tank\tfilesystem\t/mnt/tank\ntank/d\tfilesystem\t/mnt/tank/d\n';
    if (args[0] === 'get') return 'tank\tused\t10\t-\ntank\tavailable\t20\t-\ntank\treferenced\t5\t-\ntank/d\tused\t1\t-\n';
    if (args[0] === 'send') return '624';
    return '';
  });
  const zfs = createCliAdapter(runner);
  const ds = await zfs.listDatasets();
  t.same(ds.map((d) => [d.name, d.used, d.available]), [['tank', 10, 20], ['tank/d', 1, 0]]);
  t.ok(calls.includes('zfs list -H -o name,type,mountpoint -t filesystem'), 'no volumes on zfs-fuse');
  t.ok(calls.includes('zfs get -H -p -o name,property,value,source used,available,referenced tank tank/d'));
  t.equal(await zfs.writtenBytes('tank/d@b'), 0, 'header-only stream = nothing written');
  t.ok(calls.includes('zfs send -i tank/d@a tank/d@b'), 'compares with the previous snapshot of the same dataset');
});

t.test('argument arrays for snapshot create/destroy/set', async (t) => {
  const { runner, calls } = fakeRunner((_tool, args) => openzfsProbe(args) ?? '');
  const zfs = createCliAdapter(runner);
  await zfs.createSnapshot('tank/a', 'auto-1', { recursive: true, properties: { 'vsnapd:run': '1', 'freenas:vmsynced': 'Y' } });
  await zfs.destroySnapshot('tank/a@auto-1', { recursive: true });
  await zfs.setUserProperties('tank/a', { 'a:b': 'x y', 'c:d': '-z' });
  t.same(calls, [
    'zfs snapshot -r -o vsnapd:run=1 -o freenas:vmsynced=Y tank/a@auto-1',
    'zfs destroy -r tank/a@auto-1',
    'zfs set a:b=x y tank/a',
    'zfs set c:d=-z tank/a',
  ]);
});

t.test('bad names never reach a process', async (t) => {
  const { runner, calls } = fakeRunner(() => '');
  const zfs = createCliAdapter(runner);
  const bad: Array<() => Promise<unknown>> = [
    () => zfs.createSnapshot('-rf', 'x'),
    () => zfs.createSnapshot('tank', '--help'),
    () => zfs.createSnapshot('tank', 'x', { properties: { compression: 'off' } }),
    () => zfs.destroySnapshot('tank'),
    () => zfs.listSnapshots({ dataset: 'tank@x' }),
    () => zfs.listDatasets({ root: 'tank/$x' }),
    () => zfs.getUserProperties('-H'),
    () => zfs.setUserProperties('tank', { 'a:b': 'x\ny' }),
    () => zfs.removeUserProperty('tank', 'UPPER:x'),
    () => zfs.writtenBytes('tank'),
    () => zfs.poolStatus('-v'),
  ];
  for (const call of bad) await t.rejects(call(), { name: 'CallError', errno: Errno.EINVAL });
  t.same(calls, [], 'no command ran');
});

t.test('a dataset of a faulted pool is EIO naming the pool, not "does not exist"', async (t) => {
  const { runner } = fakeRunner((tool, args) => {
    const p = fuseProbe(args);
    if (p) return p;
    if (tool === 'zpool') return 'tank\tFAULTED\n';
    return { stdout: '', stderr: "cannot open 'tank/a': dataset does not exist\n", exitCode: 1 };
  });
  const zfs = createCliAdapter(runner);
  await t.rejects(zfs.createSnapshot('tank/a', 'x'), { name: 'CallError', errno: Errno.EIO, message: /^Pool tank is faulted \(FAULTED\)/ });
});

t.test('ZFS not running: capabilities fail with EIO and are probed again later', async (t) => {
  let up = false;
  const { runner } = fakeRunner((_tool, args) =>
    up ? (fuseProbe(args) ?? '') : { stdout: '', stderr: 'connect: No such file or directory\ninternal error: failed to initialize ZFS library\n', exitCode: 1 },
  );
  const zfs = createCliAdapter(runner);
  await t.rejects(zfs.capabilities(), { name: 'CallError', errno: Errno.EIO });
  up = true;
  t.equal((await zfs.capabilities()).flavor, 'zfs-fuse');
});

t.test('a listing that raced with a destroy is read again for the datasets it may have missed', async (t) => {
  let lists = 0;
  const { runner } = fakeRunner((tool, args) => {
    const p = fuseProbe(args);
    if (p) return p;
    if (tool === 'zpool') return 'tank\tONLINE\n';
    if (args[0] === 'list') {
      lists++;
      // The first read stops at the pool destroyed meanwhile and leaves out tank/a, which exists.
      if (lists === 1) return { stdout: 'tank\tfilesystem\t/mnt/tank\n', stderr: "cannot open 'gone': dataset does not exist\n", exitCode: 1 };
      return 'tank\tfilesystem\t/mnt/tank\ntank/a\tfilesystem\t/mnt/tank/a\n';
    }
    if (args[0] === 'get') return args.slice(6).map((n) => `${n}\tused\t10\t-\n`).join('');
    return '';
  });
  const zfs = createCliAdapter(runner);
  t.same((await zfs.listDatasets()).map((d) => d.name), ['tank', 'tank/a'], 'the second, clean read is the answer');
  t.equal(lists, 2, 'read twice');
});

t.test('listings tolerate datasets destroyed meanwhile, but not a missing target', async (t) => {
  const { runner } = fakeRunner((tool, args) => {
    const p = fuseProbe(args);
    if (p) return p;
    if (tool === 'zpool') return 'tank\tONLINE\n';
    if (args[0] === 'list') return 'tank\tfilesystem\t/mnt/tank\ngone\tfilesystem\t/mnt/gone\n';
    if (args[0] === 'get' && args.includes('used,available,referenced')) {
      return { stdout: 'tank\tused\t10\t-\n', stderr: "cannot open 'gone': dataset does not exist\n", exitCode: 1 };
    }
    if (args[0] === 'get' && args.at(-1) === 'tank/missing') {
      return { stdout: '', stderr: "cannot open 'tank/missing': dataset does not exist\n", exitCode: 1 };
    }
    if (args[0] === 'get') {
      return { stdout: 'tank@a\tcreation\t1\t-\n', stderr: "cannot open 'other/x@y': dataset does not exist\n", exitCode: 1 };
    }
    return '';
  });
  const zfs = createCliAdapter(runner);
  t.same((await zfs.listDatasets()).map((d) => d.name), ['tank'], 'the vanished pool is left out');
  t.same((await zfs.listSnapshots()).map((s) => s.name), ['tank@a']);
  await t.rejects(zfs.listSnapshots({ dataset: 'tank/missing' }), { name: 'CallError', errno: Errno.ENOENT });
});
