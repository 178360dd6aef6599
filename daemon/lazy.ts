/**
 * Deferred loading of heavy modules a daemon may never need (undici without a vCenter entry, execa
 * before the first zfs/exportfs command): each costs megabytes of resident memory once imported, and
 * an idle daemon should not pay for them (`npm run bench -- footprint`).
 */

/** A function that runs `load` on its first call and returns the same promise ever after. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** execa, for the zfs/zpool, exportfs and getent commands. */
export const loadExeca = lazy(() => import('execa'));

/** undici, for the HTTPS pool to a vCenter. */
export const loadUndici = lazy(() => import('undici'));

/** nodemailer, for alert mail (alert services of type Mail). */
export const loadNodemailer = lazy(() => import('nodemailer'));
