/**
 * Deferred loading of heavy modules a daemon may never need (execa before the first zfs/exportfs
 * command, nodemailer and selfsigned mostly never): each costs megabytes of resident memory once
 * imported, and an idle daemon should not pay for them (`npm run bench -- footprint`). In the
 * production bundle each is a chunk of its own. undici is loaded the same way by the vsphere
 * library itself (vsphere/transport/load-undici.ts).
 */

/** A function that runs `load` on its first call and returns the same promise ever after. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/**
 * The `module.exports` of a CommonJS package loaded with `import()`. Node's own loader offers its
 * properties as named exports too, but the production bundle (esbuild, packaging/bundle.mjs) follows
 * Node's rule strictly and offers only `default`; `default` is `module.exports` in both.
 */
function commonJs<T extends object>(ns: T): T {
  return 'default' in ns && ns.default && typeof ns.default === 'object' ? (ns.default as T) : ns;
}

/** execa (an ES module), for the zfs/zpool, exportfs and getent commands. */
export const loadExeca = lazy(() => import('execa'));

/** nodemailer (CommonJS), for alert mail (alert services of type Mail). */
export const loadNodemailer = lazy(async () => commonJs(await import('nodemailer')));

/** selfsigned (CommonJS), for the certificate of `listen.tls.self_signed`. */
export const loadSelfsigned = lazy(async () => commonJs(await import('selfsigned')));
