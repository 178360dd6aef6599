/**
 * Takes one ZFS snapshot, through the VMware coordinator when asked (see snapshot-hook.ts for the
 * contract), for both manual snapshots and periodic task runs. The snapshot is always taken: if the
 * coordinator fails or never calls `takeSnapshot`, it is taken here without the coordinator's
 * properties and the failure is reported in {@link TakeResult.coordinatorError}.
 */
import { CallError, Errno } from '../../../daemon/errors.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import { jobSegment, type CoordinatedResult, type SnapshotHooks, type VmwareTaskOptions } from '../snapshot-hook.js';
import type { ZfsAdapter } from '../zfs/adapter.js';
import { isExcluded } from '../snapshottask/retention.js';

/** What to snapshot. */
export interface TakeRequest {
  readonly dataset: string;
  /** Name part after `@`. */
  readonly name: string;
  readonly recursive: boolean;
  /** Descendants whose snapshot is removed again right after a recursive snapshot. */
  readonly exclude: readonly string[];
  /** User properties to set on the snapshot. */
  readonly properties: Readonly<Record<string, string>>;
  readonly vmwareSync: boolean;
  readonly source: 'task' | 'manual';
  readonly taskId: number | null;
  /** A task run started by the schedule (not by `pool.snapshottask.run`); default false. */
  readonly scheduled?: boolean;
  /** The task's selection rules and scripts, passed to the coordinator. */
  readonly vmware?: VmwareTaskOptions;
  readonly job: JobHandle | null;
  /**
   * The part of the job's percent the coordinator's 0–100 is mapped into (default the whole job,
   * 0–100); see {@link jobSegment}.
   */
  readonly progress?: { readonly from: number; readonly to: number };
  readonly signal: AbortSignal;
}

/** What happened. */
export interface TakeResult {
  /** The coordinator's report, when it ran and succeeded. */
  readonly coordinated: CoordinatedResult | null;
  /** Why coordination failed or was incomplete (the snapshot was taken anyway), or null. */
  readonly coordinatorError: string | null;
}

/** Dependencies. */
export interface TakeDeps {
  readonly zfs: ZfsAdapter;
  readonly hooks: SnapshotHooks;
}

/**
 * Creates `dataset@name` (recursive when asked, then drops the excluded descendants' snapshots).
 * Throws the adapter's CallError when ZFS refuses (EEXIST, ENOENT, EIO…).
 */
async function createOnce(deps: TakeDeps, req: TakeRequest, extra: Record<string, string>): Promise<void> {
  await deps.zfs.createSnapshot(req.dataset, req.name, { recursive: req.recursive, properties: { ...req.properties, ...extra } });
  if (req.recursive && req.exclude.length > 0) {
    // One atomic `zfs snapshot -r`, then the excluded subtrees' snapshots go (zfs-fuse has no
    // channel programs and OpenZFS's multi-snapshot form would not carry -r semantics).
    const datasets = await deps.zfs.listDatasets({ root: req.dataset });
    const excluded = datasets.map((d) => d.name).filter((n) => n !== req.dataset && isExcluded(n, req.exclude));
    const tops = excluded.filter((n) => !excluded.some((o) => o !== n && n.startsWith(`${o}/`)));
    for (const ds of tops) await deps.zfs.destroySnapshot(`${ds}@${req.name}`, { recursive: true });
  }
}

/** True when `snapshot` (dataset@name) exists; throws the adapter's CallError for anything but ENOENT. */
export async function snapshotExists(zfs: ZfsAdapter, snapshot: string): Promise<boolean> {
  try {
    await zfs.getUserProperties(snapshot);
    return true;
  } catch (err) {
    if (err instanceof CallError && err.errno === Errno.ENOENT) return false;
    throw err;
  }
}

/** Takes the snapshot, coordinating with VMware when `vmwareSync` and a coordinator is registered. */
export async function takeSnapshot(deps: TakeDeps, req: TakeRequest): Promise<TakeResult> {
  const coordinator = req.vmwareSync ? deps.hooks.coordinator() : null;
  if (!coordinator) {
    await createOnce(deps, req, {});
    return { coordinated: null, coordinatorError: req.vmwareSync ? 'No VMware coordinator is running; snapshot taken without VMware coordination' : null };
  }
  let called = false;
  let takeError: unknown = null;
  const take = async (props: Record<string, string>): Promise<void> => {
    if (called) throw new CallError('takeSnapshot was already called for this snapshot', Errno.EINVAL);
    called = true;
    try {
      await createOnce(deps, req, props ?? {});
    } catch (err) {
      takeError = err;
      throw err;
    }
  };
  try {
    const coordinated = await coordinator.coordinate({
      dataset: req.dataset,
      recursive: req.recursive,
      snapshotName: req.name,
      source: req.source,
      taskId: req.taskId,
      trigger: req.source === 'manual' ? 'manual' : req.scheduled ? 'periodic' : 'run',
      ...(req.vmware ? { vmware: req.vmware } : {}),
      job: req.job && jobSegment(req.job, req.progress?.from ?? 0, req.progress?.to ?? 100),
      signal: req.signal,
      takeSnapshot: take,
    });
    if (takeError) throw takeError;
    if (!called) {
      await createOnce(deps, req, {});
      return { coordinated, coordinatorError: 'The VMware coordinator did not take the snapshot; taken without its properties' };
    }
    return { coordinated, coordinatorError: null };
  } catch (err) {
    if (takeError) throw takeError;
    const why = `VMware coordination failed: ${(err as Error).message}`;
    if (!called) await createOnce(deps, req, {});
    return { coordinated: null, coordinatorError: why };
  }
}
