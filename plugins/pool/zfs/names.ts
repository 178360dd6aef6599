/**
 * ZFS name rules, checked before any `zfs`/`zpool` process runs, so a bad name is a clear EINVAL that
 * names the problem instead of a CLI error (or, worse, an option: a name starting with `-` would be
 * read by `zfs` as a flag even though we never use a shell).
 *
 * Rules follow OpenZFS `zfs_namecheck.c`: components of `[A-Za-z0-9_.:-]` and space, separated by
 * `/`; a snapshot is `dataset@name`; the whole name shorter than ZFS_MAX_DATASET_NAME_LEN (256);
 * the pool (first component) starts with a letter and is not a reserved vdev word. vsnapd adds one
 * rule of its own: no component may start with `-`.
 */
import { CallError, Errno } from '../../../daemon/errors.js';

/** ZFS_MAX_DATASET_NAME_LEN is 256 including the terminating NUL. */
export const MAX_NAME_LENGTH = 255;

/** ZAP_MAXNAMELEN: the longest user property name. */
export const MAX_USER_PROPERTY_NAME_LENGTH = 256;

/** ZFS_MAXPROPLEN: the longest user property value, in bytes. */
export const MAX_USER_PROPERTY_VALUE_BYTES = 8192;

const COMPONENT_CHARS = /^[A-Za-z0-9_.: -]+$/;
const BAD_CHAR = /[^A-Za-z0-9_.: -]/;
/** Pool names OpenZFS refuses (they are vdev type words). */
const RESERVED_POOL_NAMES = /^(mirror|raidz|draid|spare|log|special|dedup|cache)/;

/** Checks one path component; returns why it is wrong, or null. */
function componentProblem(component: string, what: string): string | null {
  if (component.length === 0) return `${what} has an empty component`;
  if (component === '.' || component === '..') return `${what} may not have a "${component}" component`;
  if (component.startsWith('-')) return `${what} may not have a component starting with "-"`;
  if (!COMPONENT_CHARS.test(component)) {
    const bad = BAD_CHAR.exec(component)?.[0] ?? '?';
    return `${what} has an invalid character ${JSON.stringify(bad)} (allowed: letters, digits, "_", "-", ".", ":" and space)`;
  }
  return null;
}

/** Returns why `name` is not a valid pool name, or null. */
export function poolNameProblem(name: string): string | null {
  const problem = componentProblem(name, 'Pool name');
  if (problem) return problem;
  if (!/^[A-Za-z]/.test(name)) return 'Pool name must start with a letter';
  if (RESERVED_POOL_NAMES.test(name)) return `Pool name may not start with the reserved word "${RESERVED_POOL_NAMES.exec(name)?.[1]}"`;
  if (/^c[0-9]/.test(name)) return 'Pool name may not start with "c" followed by a digit';
  return null;
}

/** Returns why `name` is not a valid filesystem/volume name (`pool/a/b`), or null. */
export function datasetNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Dataset name is empty';
  if (name.length > MAX_NAME_LENGTH) return `Dataset name is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.includes('@')) return 'Dataset name may not contain "@" (that is a snapshot name)';
  if (name.includes('#')) return 'Dataset name may not contain "#" (that is a bookmark name)';
  if (name.startsWith('/') || name.endsWith('/')) return 'Dataset name may not start or end with "/"';
  const [pool, ...rest] = name.split('/');
  const poolProblem = poolNameProblem(pool ?? '');
  if (poolProblem) return poolProblem.replace('Pool name', 'Dataset name (pool part)');
  for (const component of rest) {
    const problem = componentProblem(component, 'Dataset name');
    if (problem) return problem;
  }
  return null;
}

/** Returns why `name` is not a valid snapshot name part (after `@`), or null. */
export function snapshotNamePartProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Snapshot name is empty';
  if (name.includes('@') || name.includes('/') || name.includes('#')) {
    return 'Snapshot name may not contain "@", "/" or "#"';
  }
  return componentProblem(name, 'Snapshot name');
}

/** Returns why `full` is not a valid `dataset@snapshot` name, or null. */
export function snapshotNameProblem(full: string): string | null {
  if (typeof full !== 'string' || full.length === 0) return 'Snapshot name is empty';
  if (full.length > MAX_NAME_LENGTH) return `Snapshot name is longer than ${MAX_NAME_LENGTH} characters`;
  const at = full.indexOf('@');
  if (at < 0) return 'Snapshot name must have the form <dataset>@<snapshot>';
  const datasetProblem = datasetNameProblem(full.slice(0, at));
  if (datasetProblem) return datasetProblem;
  return snapshotNamePartProblem(full.slice(at + 1));
}

/**
 * Returns why `name` is not a valid ZFS user property name, or null. User properties contain a `:`
 * and use lowercase letters, digits, `:`, `-`, `.`, `_` (zfsprops(7) "User Properties").
 */
export function userPropertyNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Property name is empty';
  if (name.length > MAX_USER_PROPERTY_NAME_LENGTH) {
    return `Property name is longer than ${MAX_USER_PROPERTY_NAME_LENGTH} characters`;
  }
  if (!name.includes(':')) return `User property name ${JSON.stringify(name)} must contain ":" (e.g. "vsnapd:run")`;
  if (name.startsWith('-')) return 'Property name may not start with "-"';
  if (!/^[a-z0-9:._-]+$/.test(name)) {
    return `User property name ${JSON.stringify(name)} may only use lowercase letters, digits, ":", "-", "." and "_"`;
  }
  return null;
}

/**
 * Returns why `value` cannot be stored as a user property value, or null. Tabs and newlines are
 * refused because `zfs get -H` output is tab/line separated and could no longer be read back.
 */
export function userPropertyValueProblem(value: string): string | null {
  if (typeof value !== 'string') return 'Property value must be a string';
  if (Buffer.byteLength(value, 'utf8') > MAX_USER_PROPERTY_VALUE_BYTES) {
    return `Property value is longer than ${MAX_USER_PROPERTY_VALUE_BYTES} bytes`;
  }
  if (/[\t\n\r\0]/.test(value)) return 'Property value may not contain tabs, newlines or NUL characters';
  return null;
}

/** Throws CallError EINVAL with `problem` when it is not null. */
function raise(problem: string | null, subject: string): void {
  if (problem) throw new CallError(`Invalid ${subject}: ${problem}`, Errno.EINVAL);
}

/** Throws CallError EINVAL unless `name` is a valid dataset name. */
export function assertDatasetName(name: string): void {
  raise(datasetNameProblem(name), `dataset name ${JSON.stringify(name)}`);
}

/** Throws CallError EINVAL unless `name` is a valid pool name. */
export function assertPoolName(name: string): void {
  raise(poolNameProblem(name), `pool name ${JSON.stringify(name)}`);
}

/** Throws CallError EINVAL unless `full` is a valid `dataset@snapshot` name. */
export function assertSnapshotName(full: string): void {
  raise(snapshotNameProblem(full), `snapshot name ${JSON.stringify(full)}`);
}

/** Throws CallError EINVAL unless `name` is a dataset or a snapshot name. */
export function assertDatasetOrSnapshotName(name: string): void {
  if (typeof name === 'string' && name.includes('@')) assertSnapshotName(name);
  else assertDatasetName(name);
}

/** Throws CallError EINVAL unless every key/value is a valid user property. */
export function assertUserProperties(props: Record<string, string>): void {
  for (const [key, value] of Object.entries(props)) {
    raise(userPropertyNameProblem(key), `property name ${JSON.stringify(key)}`);
    raise(userPropertyValueProblem(value), `value for property ${JSON.stringify(key)}`);
  }
}

/** Splits `dataset@snap` into its parts (name must be valid). */
export function splitSnapshotName(full: string): { dataset: string; snapshot: string } {
  const at = full.indexOf('@');
  return { dataset: full.slice(0, at), snapshot: full.slice(at + 1) };
}

/** The pool a dataset or snapshot lives in (its first component). */
export function poolOf(name: string): string {
  return name.split(/[/@]/)[0] ?? name;
}

/** True when `child` is `parent` itself or below it in the dataset tree. */
export function isSameOrDescendant(child: string, parent: string): boolean {
  return child === parent || child.startsWith(`${parent}/`);
}
