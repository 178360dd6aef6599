/**
 * {@link ZfsAdapter} over the `zfs`/`zpool` CLI. Targets the OpenZFS 2.x CLI and feature-detects what
 * zfs-fuse lacks: no `zfs list -p` (sizes are read with `zfs get -H -p`, which both support), no
 * `zfs get -t`, no `written` property (emptiness comes from the incremental send stream), no zvols.
 */
import type {
  CallOptions,
  DatasetType,
  ZfsAdapter,
  ZfsCapabilities,
  ZfsDataset,
  ZfsPool,
  ZfsPropertyValue,
  ZfsSnapshot,
} from './adapter.js';
import {
  assertDatasetName,
  assertDatasetOrSnapshotName,
  assertPoolName,
  assertSnapshotName,
  assertUserProperties,
  isSameOrDescendant,
  poolOf,
  snapshotNamePartProblem,
  splitSnapshotName,
  userPropertyNameProblem,
} from './names.js';
import { groupByName, parseIntegerValue, parsePropertyRows, parseRows, parseSize, type PropertyRow } from './parse.js';
import { mapZfsFailure } from './errors.js';
import { CallError, Errno } from '../../../daemon/errors.js';
import type { CommandRunner } from './runner.js';

/**
 * Size of an incremental send stream that carries no change: a BEGIN and an END
 * `dmu_replay_record_t` (312 bytes each, the same in zfs-fuse and OpenZFS).
 */
export const EMPTY_SEND_STREAM_BYTES = 2 * 312;

/** How many names one `zfs get` receives (keeps argv well under ARG_MAX). */
const NAMES_PER_CALL = 200;

/** Reads of a listing that raced with a destroy elsewhere, the first included (see listTolerant). */
const LIST_ATTEMPTS = 3;

/** Creates the CLI adapter on top of a command runner. */
export function createCliAdapter(runner: CommandRunner): ZfsAdapter {
  let caps: Promise<ZfsCapabilities> | null = null;

  async function probeCapabilities(): Promise<ZfsCapabilities> {
    const list = await runner.probe('zfs', ['list', '-H', '-p', '-o', 'name', '-d', '0']);
    const listErr = list.stderr.toLowerCase();
    if (/failed to initialize zfs library|connect:/.test(listErr)) {
      throw mapZfsFailure({ command: 'zfs list', exitCode: list.exitCode, stderr: list.stderr, binary: 'zfs' });
    }
    const parsableList = !/invalid option/.test(listErr);
    // Property names are checked before the dataset is opened, so a name that cannot exist is enough.
    const written = await runner.probe('zfs', ['get', '-H', '-o', 'value', 'written', 'vsnapd-probe-does-not-exist']);
    const writtenProperty = !/invalid property|bad property/.test(written.stderr.toLowerCase());
    const flavor = parsableList ? 'openzfs' : 'zfs-fuse';
    return { flavor, parsableList, writtenProperty, volumes: flavor === 'openzfs' };
  }

  function capabilities(): Promise<ZfsCapabilities> {
    if (!caps) {
      caps = probeCapabilities();
      caps.catch(() => {
        caps = null; // retry on the next call (the daemon may come up later)
      });
    }
    return caps;
  }

  /**
   * A dataset of a FAULTED/UNAVAIL pool is reported by `zfs` as "does not exist"; turn that ENOENT into
   * an EIO naming the pool's health, so callers (and the task state HOLD) can tell the two apart.
   */
  async function explainMissing<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof CallError) || err.errno !== Errno.ENOENT || name === undefined) throw err;
      const pool = poolOf(name);
      const status = await runner.probe('zpool', ['list', '-H', '-o', 'name,health', pool]).catch(() => null);
      const health = status && status.exitCode === 0 ? (parseRows(status.stdout)[0]?.[1] ?? '') : '';
      if (health && health !== 'ONLINE' && health !== 'DEGRADED') {
        throw new CallError(`Pool ${pool} is ${health.toLowerCase()} (${health}): ${err.message}`, Errno.EIO, null, { cause: err });
      }
      throw err;
    }
  }

  /** Runs `zfs args…` about `name` (a dataset, snapshot or undefined), explaining a missing pool. */
  function zfsOn(name: string | undefined, args: readonly string[], signal?: AbortSignal) {
    return explainMissing(name, () => runner.run('zfs', args, signal));
  }

  /**
   * Runs a listing that may race with destroys elsewhere (other tasks, other tools). When the only
   * complaints on stderr are about objects that no longer exist, the listing is read again, up to
   * {@link LIST_ATTEMPTS} times in all, since zfs may have left out more than the vanished object
   * (a listing of every pool missed a live dataset while other pools were destroyed); the last
   * read's rows are the answer. A complaint about `mustExist` itself (the dataset asked for) stays
   * an error (ENOENT).
   */
  async function listTolerant(args: readonly string[], mustExist: string | undefined, signal?: AbortSignal): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const r = await runner.probe('zfs', args, signal);
      if (r.exitCode === 0) return r.stdout;
      const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
      const vanished = lines.length > 0 && lines.every((l) => /does not exist|no such pool/.test(l));
      const aboutTarget = mustExist !== undefined && lines.some((l) => l.includes(`'${mustExist}'`));
      if (vanished && !aboutTarget) {
        if (attempt < LIST_ATTEMPTS) continue;
        return r.stdout;
      }
      return explainMissing(mustExist, () =>
        Promise.reject(mapZfsFailure({ command: `zfs ${args[0] ?? ''}`, exitCode: r.exitCode, stderr: r.stderr, binary: 'zfs' })),
      );
    }
  }

  /** `zfs get -H -p -o name,property,value,source <props> <names…>`, chunked. */
  async function getProperties(props: string, names: readonly string[], signal?: AbortSignal, tolerant = false): Promise<PropertyRow[]> {
    const rows: PropertyRow[] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const chunk = names.slice(i, i + NAMES_PER_CALL);
      const args = ['get', '-H', '-p', '-o', 'name,property,value,source', props, ...chunk];
      const stdout = tolerant ? await listTolerant(args, undefined, signal) : (await zfsOn(chunk[0], args, signal)).stdout;
      rows.push(...parsePropertyRows(stdout));
    }
    return rows;
  }

  function userProps(props: Map<string, PropertyRow>): Record<string, ZfsPropertyValue> {
    const out: Record<string, ZfsPropertyValue> = {};
    for (const row of props.values()) {
      if (row.property.includes(':')) out[row.property] = { value: row.value, source: row.source };
    }
    return out;
  }

  function withChildren(
    rows: Array<Omit<ZfsDataset, 'children'>>,
    root: string | undefined,
    recursive: boolean,
  ): ZfsDataset[] {
    const names = rows.map((r) => r.name);
    const all = rows.map((r) => ({
      ...r,
      children: names.filter((n) => n.startsWith(`${r.name}/`) && !n.slice(r.name.length + 1).includes('/')).sort(),
    }));
    return root && !recursive ? all.filter((d) => d.name === root) : all;
  }

  const adapter: ZfsAdapter = {
    capabilities,

    async listDatasets(opts = {}) {
      const { root, recursive = true, signal } = opts;
      if (root !== undefined) assertDatasetName(root);
      const c = await capabilities();
      const types = c.volumes ? 'filesystem,volume' : 'filesystem';
      const target = root === undefined ? [] : ['-r', root];
      if (c.parsableList) {
        const out = await listTolerant(['list', '-H', '-p', '-o', 'name,type,mountpoint,used,available,referenced', '-t', types, ...target], root, signal);
        const rows = parseRows(out).map(([name = '', type = '', mountpoint = '', used, available, referenced]) => ({
          name,
          pool: poolOf(name),
          type: datasetType(type),
          mountpoint: mountpointOf(mountpoint),
          used: parseIntegerValue(used),
          available: parseIntegerValue(available),
          referenced: parseIntegerValue(referenced),
        }));
        return withChildren(rows, root, recursive);
      }
      const out = await listTolerant(['list', '-H', '-o', 'name,type,mountpoint', '-t', types, ...target], root, signal);
      const base = parseRows(out);
      const sizes = groupByName(await getProperties('used,available,referenced', base.map((r) => r[0] ?? ''), signal, true));
      // A dataset destroyed between the two commands has no sizes: it is gone, leave it out.
      const rows = base.filter(([name = '']) => sizes.has(name)).map(([name = '', type = '', mountpoint = '']) => {
        const p = sizes.get(name);
        return {
          name,
          pool: poolOf(name),
          type: datasetType(type),
          mountpoint: mountpointOf(mountpoint),
          used: parseIntegerValue(p?.get('used')?.value),
          available: parseIntegerValue(p?.get('available')?.value),
          referenced: parseIntegerValue(p?.get('referenced')?.value),
        };
      });
      return withChildren(rows, root, recursive);
    },

    async listSnapshots(opts = {}) {
      const { dataset, recursive = false, signal } = opts;
      if (dataset !== undefined) assertDatasetName(dataset);
      const c = await capabilities();
      const args = ['get', '-H', '-p', '-o', 'name,property,value,source'];
      if (c.flavor === 'openzfs') args.push('-t', 'snapshot');
      // Non-recursive: depth 1 from the dataset holds its snapshots (and its children, filtered below).
      if (dataset !== undefined) args.push(...(recursive ? ['-r'] : ['-d', '1']));
      args.push('all');
      if (dataset !== undefined) args.push(dataset);
      const out = await listTolerant(args, dataset, signal);
      const grouped = groupByName(parsePropertyRows(out));
      const snapshots: ZfsSnapshot[] = [];
      for (const [name, props] of grouped) {
        if (!name.includes('@')) continue;
        const { dataset: ds, snapshot } = splitSnapshotName(name);
        if (dataset !== undefined && !(recursive ? isSameOrDescendant(ds, dataset) : ds === dataset)) continue;
        snapshots.push({
          name,
          dataset: ds,
          snapshotName: snapshot,
          pool: poolOf(name),
          createdMs: parseIntegerValue(props.get('creation')?.value) * 1000,
          used: parseIntegerValue(props.get('used')?.value),
          referenced: parseIntegerValue(props.get('referenced')?.value),
          createtxg: props.get('createtxg')?.value ?? null,
          userProperties: userProps(props),
        });
      }
      // zfs lists a dataset's snapshots in creation (txg) order; keep it within a dataset.
      const order = new Map(snapshots.map((s, i) => [s.name, i]));
      return snapshots.sort((a, b) => (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0)));
    },

    async createSnapshot(dataset, name, opts = {}) {
      assertDatasetName(dataset);
      const problem = snapshotNamePartProblem(name);
      if (problem) throw new CallError(`Invalid snapshot name ${JSON.stringify(name)}: ${problem}`, Errno.EINVAL);
      const props = opts.properties ?? {};
      assertUserProperties(props);
      assertSnapshotName(`${dataset}@${name}`);
      const args = ['snapshot'];
      if (opts.recursive) args.push('-r');
      for (const [k, v] of Object.entries(props)) args.push('-o', `${k}=${v}`);
      args.push(`${dataset}@${name}`);
      await zfsOn(dataset, args, opts.signal);
    },

    async destroySnapshot(snapshot, opts = {}) {
      assertSnapshotName(snapshot);
      const args = ['destroy'];
      if (opts.recursive) args.push('-r');
      if (opts.defer) args.push('-d');
      args.push(snapshot);
      await zfsOn(snapshot, args, opts.signal);
    },

    async clone(snapshot, target, opts = {}) {
      assertSnapshotName(snapshot);
      assertDatasetName(target);
      if (poolOf(target) !== poolOf(snapshot)) {
        throw new CallError(`Cannot clone ${snapshot} into ${target}: a clone must be in the snapshot's pool (${poolOf(snapshot)})`, Errno.EINVAL);
      }
      const props = opts.properties ?? {};
      assertUserProperties(props);
      const args = ['clone'];
      for (const [k, v] of Object.entries(props)) args.push('-o', `${k}=${v}`);
      args.push(snapshot, target);
      await zfsOn(snapshot, args, opts.signal);
    },

    async destroyDataset(dataset, opts: CallOptions = {}) {
      assertDatasetName(dataset);
      await zfsOn(dataset, ['destroy', dataset], opts.signal);
    },

    async getUserProperties(name, opts: CallOptions = {}) {
      assertDatasetOrSnapshotName(name);
      const rows = await getProperties('all', [name], opts.signal);
      return userProps(groupByName(rows).get(name) ?? new Map());
    },

    async setUserProperties(name, props, opts: CallOptions = {}) {
      assertDatasetOrSnapshotName(name);
      assertUserProperties(props);
      // One property per `zfs set`: zfs-fuse accepts only one.
      for (const [k, v] of Object.entries(props)) await zfsOn(name, ['set', `${k}=${v}`, name], opts.signal);
    },

    async removeUserProperty(name, key, opts: CallOptions = {}) {
      assertDatasetOrSnapshotName(name);
      const problem = userPropertyNameProblem(key);
      if (problem) throw new CallError(`Invalid property name ${JSON.stringify(key)}: ${problem}`, Errno.EINVAL);
      await zfsOn(name, ['inherit', key, name], opts.signal);
    },

    async writtenBytes(snapshot, opts: CallOptions = {}) {
      assertSnapshotName(snapshot);
      const c = await capabilities();
      if (c.writtenProperty) {
        const out = await zfsOn(snapshot, ['get', '-H', '-p', '-o', 'value', 'written', snapshot], opts.signal);
        return parseIntegerValue(out.stdout.trim());
      }
      const { dataset } = splitSnapshotName(snapshot);
      const list = await zfsOn(dataset, ['list', '-H', '-o', 'name', '-t', 'snapshot', '-r', dataset], opts.signal);
      const own = parseRows(list.stdout).map((r) => r[0] ?? '').filter((n) => n.startsWith(`${dataset}@`));
      const index = own.indexOf(snapshot);
      if (index < 0) throw new CallError(`zfs get: cannot open '${snapshot}': dataset does not exist`, Errno.ENOENT);
      if (index === 0) {
        const out = await runner.run('zfs', ['get', '-H', '-p', '-o', 'value', 'referenced', snapshot], opts.signal);
        return parseIntegerValue(out.stdout.trim());
      }
      const previous = own[index - 1] ?? '';
      const bytes = await runner.countStdout('zfs', ['send', '-i', previous, snapshot], EMPTY_SEND_STREAM_BYTES, opts.signal);
      return Math.max(0, bytes - EMPTY_SEND_STREAM_BYTES);
    },

    async poolStatus(pool, opts: CallOptions = {}) {
      if (pool !== undefined) assertPoolName(pool);
      const c = await capabilities();
      const args = ['list', '-H', ...(c.parsableList ? ['-p'] : []), '-o', 'name,health,size,allocated,free'];
      if (pool !== undefined) args.push(pool);
      const out = await runner.run('zpool', args, opts.signal);
      return parseRows(out.stdout).map(([name = '', health = '', size = '', allocated = '', free = '']): ZfsPool => ({
        name,
        health,
        size: parseSize(size),
        allocated: parseSize(allocated),
        free: parseSize(free),
      }));
    },
  };
  return adapter;
}

function datasetType(type: string): DatasetType {
  return type === 'volume' ? 'VOLUME' : 'FILESYSTEM';
}

function mountpointOf(value: string): string | null {
  return value === '-' || value === 'none' || value === '' ? null : value;
}
