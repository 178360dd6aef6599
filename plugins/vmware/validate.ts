/**
 * Validation of `vmware.create` / `vmware.update` (TrueNAS `validate_data`, reference §1.3): every
 * check runs and all errors are reported together under `vmware_create.*` / `vmware_update.*`.
 *
 * 1. shape: host name without scheme/port/path, `tls.thumbprint` a SHA-256/SHA-1 fingerprint,
 *    `tls.ca` PEM, `datastore`/`datastores` consistent, no duplicates;
 * 2. `hostname` is an IP literal or resolves within 5 s ("Couldn't resolve hostname …");
 * 3. `filesystem` is an existing dataset or zvol ("Invalid ZFS filesystem …");
 * 4. login + inventory read work, the error naming the cause and sitting on the field to fix
 *    (password: bad credentials; username: permission/licence; tls: untrusted certificate, with its
 *    SHA-256 fingerprint; hostname: unreachable/timeout). TrueNAS tries the login even when the name
 *    does not resolve; here it is skipped then, as it can only fail the same way;
 * 5. selection rules name folders, tag categories, tags and custom attributes that exist, and tag
 *    rules are refused on a server without the Automation API (ESXi alone), each error listing what
 *    exists;
 * 6. the datastores exist and are NFS/NFS41/VMFS; when none is given, the datastores that
 *    `match_datastores_with_datasets` pairs with `filesystem` are chosen, and when none matches the
 *    error lists every datastore of the server and what backs it.
 * Unlike TrueNAS, update checks only what changed (plus the login when connection fields changed).
 */
import { isIP } from 'node:net';
import { Errno, ValidationErrors } from '../../daemon/errors.js';
import type { ConnectTarget } from './connect.js';
import { describeError, errorText, loginErrorAttribute } from './errors.js';
import { describeServerDatastores, MATCHABLE_TYPES, remoteDatastores, type LocalFilesystem } from './match/match.js';
import { matchInventory, type LocalSide } from './match/local.js';
import { checkResolves, type Resolver } from './resolve.js';
import type { VmwareTls } from './schemas.js';
import { checkRules } from './sync/rules/check.js';
import type { RuleFacts } from './sync/rules/facts.js';
import type { SelectionRules } from './sync/rules/schema.js';
import { checkCaPem, parseThumbprint, TlsVerificationError, type AboutInfo, type CertificateInfo, type Inventory } from '../../vsphere/index.js';

/** Attribute prefix of the errors. */
export type ValidationSchema = 'vmware_create' | 'vmware_update';

/** What one login + inventory read returned. */
export interface ServerRead {
  about: AboutInfo;
  apiVersion: string;
  certificate: CertificateInfo | undefined;
  inventory: Inventory;
  /** What the selection rules were checked against (only when rules were given). */
  facts?: RuleFacts;
}

/** What the checks run: which ones, and how datastores are decided. */
export interface ValidationPlan {
  hostname: boolean;
  filesystem: boolean;
  login: boolean;
  /** `given`: check the listed ones; `match`: choose by matching filesystem; `keep`: check the stored ones (after a login). */
  datastores: 'given' | 'match' | 'keep';
  /** Field the datastore errors name (`datastore` when a TrueNAS client sent that field). */
  datastoreField: 'datastore' | 'datastores';
  /** Check `draft.rules` against the inventory (a login happens for it). */
  rules?: boolean;
}

/** The checked entry fields. */
export interface ValidationDraft extends ConnectTarget {
  filesystem: string;
  datastores: string[];
  rules?: SelectionRules;
}

/** Seams of the checks (real ones in the plugin, fakes in unit tests). */
export interface ValidationDeps {
  resolve: Resolver;
  /** One login + inventory read; with `rules`, also the facts they are checked against. */
  readServer(target: ConnectTarget, rules?: SelectionRules): Promise<ServerRead>;
  local: LocalSide;
}

/** What passed validation. */
export interface ValidationOutcome {
  /** The datastores to store (matched ones when the plan said `match`). */
  datastores: string[];
  /** The server read (null when no login was needed). */
  server: ServerRead | null;
}

/** Datastore names of a server that a dataset can back, sorted. */
export function matchableDatastoreNames(inv: Pick<Inventory, 'datastores' | 'hosts'>): string[] {
  return remoteDatastores(inv).filter((d) => MATCHABLE_TYPES.has(d.type)).map((d) => d.name).sort();
}

/** Shape checks of the connection fields (no I/O). */
export function checkConnectionShape(schema: string, target: { hostname: string; tls: VmwareTls }, errors: ValidationErrors): void {
  const h = target.hostname;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) errors.add(`${schema}.hostname`, `Enter a host name or IP address, not a URL (e.g. vcenter.example.com, not ${h})`);
  else if (/^\[.*\]$/.test(h)) errors.add(`${schema}.hostname`, 'Write IPv6 addresses without brackets (e.g. fd00::10); put the port in `port`');
  else if (!isIP(h) && h.includes(':')) errors.add(`${schema}.hostname`, 'A host name cannot contain ":"; put the port in the `port` field');
  else if (!isIP(h) && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(h)) {
    errors.add(`${schema}.hostname`, `"${h}" is not a valid host name (letters, digits, "-", "_" and "." only) or IP address`);
  }
  if (target.tls.thumbprint) {
    try {
      parseThumbprint(target.tls.thumbprint);
    } catch (err) {
      errors.add(`${schema}.tls.thumbprint`, (err as Error).message.replace(/^tls\.thumbprint: /, ''));
    }
  }
  if (target.tls.ca) {
    try {
      checkCaPem(target.tls.ca);
    } catch (err) {
      errors.add(`${schema}.tls.ca`, (err as Error).message.replace(/^tls\.ca: /, ''));
    }
  }
}

/**
 * Reconciles TrueNAS's `datastore` with vsnapd's `datastores`.
 * @returns the list (undefined when neither was given) and the field errors should name
 */
export function pickDatastores(
  schema: string,
  input: { datastore?: string | undefined; datastores?: string[] | undefined },
  errors: ValidationErrors,
): { list: string[] | undefined; field: 'datastore' | 'datastores' } {
  const { datastore, datastores } = input;
  if (datastores !== undefined) {
    const seen = new Set<string>();
    datastores.forEach((d, i) => {
      if (seen.has(d)) errors.add(`${schema}.datastores.${i}`, `Duplicate datastore "${d}"`);
      seen.add(d);
    });
    if (datastore !== undefined && datastores.length > 0 && datastores[0] !== datastore) {
      errors.add(`${schema}.datastore`, `Conflicts with datastores[0] ("${datastores[0]}"): datastore is the first of datastores; send one of the two fields`);
    }
    if (datastore !== undefined && datastores.length === 0) return { list: [datastore], field: 'datastore' };
    return { list: [...seen], field: 'datastores' };
  }
  if (datastore !== undefined) return { list: [datastore], field: 'datastore' };
  return { list: undefined, field: 'datastores' };
}

function listNames(names: readonly string[], max = 20): string {
  if (names.length === 0) return 'none';
  return names.length > max ? `${names.slice(0, max).join(', ')} … (${names.length} in all)` : names.join(', ');
}

async function checkFilesystem(schema: string, name: string, local: LocalSide, errors: ValidationErrors): Promise<LocalFilesystem[] | null> {
  let list: LocalFilesystem[];
  try {
    list = await local.filesystems();
  } catch (err) {
    errors.add(`${schema}.filesystem`, `Cannot list ZFS datasets to check it: ${(err as Error).message}`, Errno.EIO);
    return null;
  }
  if (!list.some((f) => f.name === name)) {
    const hint = name.startsWith('/') ? ' (give the dataset name, e.g. tank/vmware, not its mount path)' : '';
    errors.add(`${schema}.filesystem`, `Invalid ZFS filesystem "${name}": no such dataset or zvol${hint}; existing: ${listNames(list.map((f) => f.name))}`, Errno.ENOENT);
    return list;
  }
  return list;
}

function loginError(schema: string, err: unknown, errors: ValidationErrors): void {
  const d = describeError(err);
  let attr: string = loginErrorAttribute(d.class);
  if (err instanceof TlsVerificationError && err.reason === 'PIN_MISMATCH') attr = 'tls.thumbprint';
  errors.add(`${schema}.${attr}`, `Failed to connect: ${errorText(d)}`, d.errno);
}

/**
 * Runs the plan's checks on `draft`.
 * @throws ValidationErrors with every problem found (plus `pre`, errors the caller found first)
 */
export async function validateEntry(
  schema: ValidationSchema,
  draft: ValidationDraft,
  plan: ValidationPlan,
  deps: ValidationDeps,
  pre: ValidationErrors = new ValidationErrors(),
): Promise<ValidationOutcome> {
  const errors = pre;
  checkConnectionShape(schema, draft, errors);
  // A malformed connection field (or the password placeholder) would only fail the login again.
  const bad = (re: RegExp) => errors.errors.some((e) => re.test((e.attribute ?? '').slice(schema.length + 1)));
  const readServer = async (): Promise<ServerRead | null> => {
    if ((plan.hostname || plan.login) && !bad(/^hostname$/)) {
      const unresolved = await checkResolves(draft.hostname, deps.resolve);
      if (unresolved) {
        errors.add(`${schema}.hostname`, unresolved, Errno.ENOENT);
        return null;
      }
    }
    if (!(plan.login || plan.rules) || bad(/^(hostname|port|username|password|tls)(\.|$)/)) return null;
    try {
      return await deps.readServer(draft, plan.rules ? draft.rules : undefined);
    } catch (err) {
      loginError(schema, err, errors);
      return null;
    }
  };
  const [server, filesystems] = await Promise.all([
    readServer(),
    plan.filesystem || plan.datastores === 'match' ? checkFilesystem(schema, draft.filesystem, deps.local, errors) : Promise.resolve(null),
  ]);

  if (server?.facts && draft.rules) {
    for (const p of checkRules(draft.rules, server.facts, []).problems) errors.add(`${schema}.rules.${p.path}`, p.message, Errno.ENOENT);
  }
  let datastores = draft.datastores;
  if (server) {
    if (plan.datastores === 'match') {
      if (filesystems?.some((f) => f.name === draft.filesystem)) {
        const { result, remote } = await matchInventory(server.inventory, deps.local, filesystems);
        datastores = result.datastores.filter((d) => d.filesystems.includes(draft.filesystem)).map((d) => d.name);
        if (datastores.length === 0) {
          const lines = describeServerDatastores(remote, result);
          errors.add(
            `${schema}.datastores`,
            `No datastore of ${draft.hostname} is backed by ${draft.filesystem}; give datastores explicitly, or mount the dataset's NFS export on ESXi. ` +
              `The server's datastores: ${lines.length ? lines.join('; ') : 'none'}`,
            Errno.ENOENT,
          );
        }
      }
    } else {
      const remote = remoteDatastores(server.inventory);
      const names = remote.map((d) => d.name).sort();
      datastores.forEach((name, i) => {
        const attr = plan.datastoreField === 'datastore' ? `${schema}.datastore` : `${schema}.datastores.${i}`;
        const ds = remote.find((d) => d.name === name);
        if (!ds) errors.add(attr, `Datastore "${name}" not found on the server; it has: ${listNames(names)}`, Errno.ENOENT);
        else if (!MATCHABLE_TYPES.has(ds.type)) {
          errors.add(attr, `Datastore "${name}" is a ${ds.type || 'unknown'} datastore; only NFS, NFS41 and VMFS datastores can be backed by a ZFS dataset`);
        }
      });
    }
  }
  errors.check();
  return { datastores, server };
}
