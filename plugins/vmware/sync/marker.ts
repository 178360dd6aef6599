/**
 * The marker vsnapd puts on every VMware snapshot it creates, so that a snapshot left behind by an
 * interrupted run can be recognised and removed, and a snapshot made by anyone else never is
 * (SPEC §4 step 8; reference A.10 "orphaned snapshots", B.6 "names need not be unique").
 *
 * - name: `vsnapd-<runid>`
 * - description: `vsnapd run <runid> for <dataset>@<snapshot>; safe to delete`
 *
 * A snapshot is vsnapd's only when BOTH carry the same run id. Names are not unique in vSphere, so
 * the run removes by moref; the marker is for the sweep.
 */
import { randomHexId } from '../../../daemon/random-id.js';
import { flattenSnapshots, type SnapshotTreeNode } from '../../../vsphere/index.js';

const RUN_ID = /^[0-9a-z]{6,32}$/;
const NAME = /^vsnapd-([0-9a-z]{6,32})$/;
const DESCRIPTION = /^vsnapd run ([0-9a-z]{6,32}) for (\S+); safe to delete$/;

/** A new run id: 12 lower-case hex characters (48 random bits), never all digits (daemon/random-id.ts). */
export function newRunId(): string {
  return randomHexId(6);
}

/** True for a well-formed run id. */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

/** The VMware snapshot name of run `runId`. */
export function snapshotName(runId: string): string {
  return `vsnapd-${runId}`;
}

/** The VMware snapshot description of run `runId` for ZFS snapshot `zfsSnapshot` (`tank/vm@auto-…`). */
export function snapshotDescription(runId: string, zfsSnapshot: string): string {
  return `vsnapd run ${runId} for ${zfsSnapshot}; safe to delete`;
}

/** What a marked snapshot says about itself. */
export interface Marker {
  runId: string;
  /** The ZFS snapshot named in the description. */
  zfsSnapshot: string;
}

/** The marker of a snapshot, or null when it is not vsnapd's (name and description must agree). */
export function readMarker(node: Pick<SnapshotTreeNode, 'name' | 'description'>): Marker | null {
  const n = NAME.exec(node.name);
  const d = DESCRIPTION.exec(node.description.trim());
  if (!n || !d || n[1] !== d[1]) return null;
  return { runId: n[1] as string, zfsSnapshot: d[2] as string };
}

/** Every vsnapd-marked snapshot of a tree, with its marker (depth first). */
export function markedSnapshots(tree: readonly SnapshotTreeNode[]): { node: SnapshotTreeNode; marker: Marker }[] {
  return flattenSnapshots(tree).flatMap((node) => {
    const marker = readMarker(node);
    return marker ? [{ node, marker }] : [];
  });
}
