/**
 * The contract between the daemon core and its plugins. A plugin gets a {@link PluginContext} in
 * `setup`, registers its methods, events, alert classes, datastore collections and services there,
 * and may return `start`/`stop` hooks (constructor stores, start works, stop cleans up).
 * The daemon never imports plugin internals; plugins reach each other only through
 * {@link Services} (typed by {@link ServiceMap}) or typed in-process calls ({@link PluginContext.call}).
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AnyMethodDef, ArgsIn, MethodArg, MethodDef, Role } from './registry/method.js';

/** A row of a datastore collection. */
export interface Row {
  id: number;
}

/** How a collection is stored. */
export interface CollectionSpec {
  /** Collection name in the db file, e.g. `vmware` or `pool.snapshottask`. */
  readonly name: string;
  /**
   * Top-level fields holding secrets: encrypted at rest (AES-256-GCM under the daemon's key file),
   * decrypted transparently by {@link Collection} reads. The db file never holds them in clear.
   */
  readonly secretFields?: readonly string[];
  /**
   * Field combinations no two rows may share. Checked inside the serialised write (the datastore's
   * single write queue), so concurrent inserts/updates cannot both pass: the loser gets
   * ValidationErrors `[<schema>.<last field>, message, EEXIST]`. Secret fields cannot be unique.
   */
  readonly unique?: readonly UniqueKey[];
}

/** A unique constraint of a {@link CollectionSpec}: `{fields: ['name'], message: 'API key with this name already exists'}`. */
export interface UniqueKey {
  readonly fields: readonly string[];
  /** The validation message of a duplicate. */
  readonly message: string;
}

/** Options of one write. */
export interface WriteOptions {
  /** Attribute prefix of unique-constraint errors, e.g. `api_key_create` (default: the collection name). */
  readonly schema?: string;
}

/**
 * A persisted list of rows with integer ids. Reads return deep copies (mutating them changes nothing);
 * writes are serialised across the whole datastore and atomic on disk (write temp file + rename).
 */
export interface Collection<T extends Row> {
  /** Every row, in id order. */
  all(): T[];
  /** One row, or undefined. */
  get(id: number): T | undefined;
  /** Adds a row with the next id (ids are never reused) and returns it. Throws ValidationErrors (EEXIST) on a unique clash. */
  insert(data: Omit<T, 'id'>, opts?: WriteOptions): Promise<T>;
  /**
   * Shallow-merges `patch` into row `id` and returns the new row; throws InstanceNotFound-like
   * CallError if absent, ValidationErrors (EEXIST) on a unique clash.
   */
  update(id: number, patch: Partial<Omit<T, 'id'>>, opts?: WriteOptions): Promise<T>;
  /** Removes row `id`; false when it did not exist. */
  delete(id: number): Promise<boolean>;
}

/** The embedded datastore (lowdb JSON file, schema-versioned). */
export interface Datastore {
  /** Opens (creating if needed) a collection. Call during plugin setup. */
  collection<T extends Row>(spec: CollectionSpec): Collection<T>;
}

/** A `collection_update` notification body (TrueNAS wire shape). */
export interface CollectionUpdate {
  msg: 'added' | 'changed' | 'removed';
  /** Event name, e.g. `vmware.query`. */
  collection: string;
  id: unknown;
  /** Only for added/changed, when supplied. */
  fields?: Record<string, unknown>;
}

/** Something that can be undone, as returned by subscriptions. */
export interface Disposable {
  dispose(): void;
}

/** Publish/subscribe for `collection_update` events. */
export interface EventBus {
  /** Declares an event that clients may subscribe to, with the roles needed (any one of them). */
  define(name: string, spec: { description: string; roles: readonly Role[] }): void;
  /** Sends an update to every subscriber of `update.collection` (and of `*`). Never throws. */
  publish(update: CollectionUpdate): void;
  /** In-process listener; errors it throws are logged as `<owner>/<event>` and swallowed. */
  on(name: string, owner: string, listener: (update: CollectionUpdate) => void): Disposable;
}

/** Alert severity, as TrueNAS. */
export type AlertLevel = 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** An alert class: `text` is a template with `%(name)s` placeholders filled from the alert's args. */
export interface AlertClassSpec {
  readonly name: string;
  readonly title: string;
  readonly text: string;
  readonly level: AlertLevel;
  readonly category: string;
}

/** One-shot alerts, kept in the datastore and streamed on `alert.list`. */
export interface Alerts {
  defineClass(spec: AlertClassSpec): void;
  /** Raises an alert. With a `key`, an existing alert of the same class and key is replaced. */
  oneshotCreate(klass: string, args: Record<string, unknown>, key?: string): Promise<void>;
  /** Removes the class's alerts with this key (every alert of the class when key is undefined). */
  oneshotDelete(klass: string, key?: string): Promise<void>;
}

/** A job started in-process (scheduler, start-up sweep): visible in `core.get_jobs` like any other. */
export interface StartedJob<T> {
  readonly id: number;
  /** Settles with the job's result or error. */
  readonly result: Promise<T>;
}

/** Runs job methods from inside the daemon. */
export interface Jobs {
  /** Starts a job method as root (`INTERNAL` credentials) without waiting for it. */
  start<A extends readonly MethodArg[], R extends z.ZodType>(
    def: MethodDef<A, R>,
    ...args: ArgsIn<A>
  ): Promise<StartedJob<z.output<R>>>;
}

/**
 * Typed services plugins provide to each other. Each plugin augments this interface:
 * `declare module '../../daemon/plugin.js' { interface ServiceMap { zfs: ZfsAdapter } }`.
 */
export interface ServiceMap {}

/** The service locator. */
export interface Services {
  provide<K extends keyof ServiceMap>(name: K, service: ServiceMap[K]): void;
  /** Throws when no plugin provided it (a wiring bug, caught by the start-up tests). */
  get<K extends keyof ServiceMap>(name: K): ServiceMap[K];
}

/** What a plugin's setup gets. */
export interface PluginContext {
  /** Child logger named after the plugin. Secrets are redacted by the root logger's redact paths. */
  readonly log: Logger;
  /** The daemon's data folder (absolute path). */
  readonly dataDir: string;
  readonly db: Datastore;
  readonly events: EventBus;
  readonly alerts: Alerts;
  readonly jobs: Jobs;
  readonly services: Services;
  /**
   * The plugin's section of the config file (`config[name]`), parsed with `schema` so defaults apply.
   * Throws a clear error naming the config file and attribute when it is invalid.
   */
  config<S extends z.ZodType>(section: string, schema: S): z.output<S>;
  /** Adds methods to the registry (names must be unique). */
  registerMethods(defs: readonly AnyMethodDef[]): void;
  /** Calls a method in-process as root, validating params like a wire call; job methods run as jobs and are awaited. */
  call<A extends readonly MethodArg[], R extends z.ZodType>(def: MethodDef<A, R>, ...args: ArgsIn<A>): Promise<z.output<R>>;
}

/** Hooks a plugin may return from setup. */
export interface PluginHooks {
  /** After every plugin's setup: start timers, schedulers, start-up sweeps. */
  start?(): Promise<void>;
  /** On shutdown, in reverse order: stop timers, release connections. */
  stop?(): Promise<void>;
}

/** A plugin: one API namespace (or a few closely related ones). */
export interface Plugin {
  readonly name: string;
  /**
   * The config sections it reads with `ctx.config`, by name with their schema, so every section's
   * errors (and the core's) are reported together before any setup runs.
   */
  readonly configSections?: Readonly<Record<string, z.ZodType>>;
  setup(ctx: PluginContext): Promise<PluginHooks | void>;
}
