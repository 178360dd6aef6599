/**
 * Runs the plugin lifecycle: `setup` each plugin in list order with its own scoped
 * {@link PluginContext}, then `start` each, and on shutdown `stop` them in reverse order.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ConfigError } from './config/errors.js';
import { readSection, sectionIssues } from './config/section.js';
import type { DaemonConfig } from './config/load.js';
import type { Alerts, Datastore, EventBus, Jobs, Plugin, PluginContext, PluginHooks, Services } from './plugin.js';
import type { Caller } from './rpc/caller.js';
import type { AnyMethodDef, ArgsIn, MethodArg, MethodDef } from './registry/method.js';
import type { MethodRegistry } from './registry/registry.js';

/** The core parts every plugin context shares. */
export interface PluginHostDeps {
  readonly config: DaemonConfig;
  readonly log: Logger;
  readonly db: Datastore;
  readonly events: EventBus;
  readonly alerts: Alerts;
  readonly jobs: Jobs;
  readonly services: Services;
  readonly registry: MethodRegistry;
  readonly caller: Caller;
}

/** The config sections `plugins` declare (`Plugin.configSections`), merged: section → schema. */
export function declaredSections(plugins: readonly Plugin[]): Record<string, z.ZodType> {
  return Object.assign({}, ...plugins.map((p) => p.configSections ?? {})) as Record<string, z.ZodType>;
}

/** Plugins after setup. */
export class PluginHost {
  readonly #deps: PluginHostDeps;
  readonly #started: { name: string; hooks: PluginHooks }[] = [];
  readonly #setUp: { name: string; hooks: PluginHooks }[] = [];
  /** Config sections some plugin read (the rest of the file's top-level keys are likely typos). */
  readonly sectionsRead = new Set<string>();

  constructor(deps: PluginHostDeps) {
    this.#deps = deps;
  }

  #context(plugin: Plugin): PluginContext {
    const d = this.#deps;
    return {
      log: d.log.child({ plugin: plugin.name }),
      dataDir: d.config.dataDir,
      db: d.db,
      events: d.events,
      alerts: d.alerts,
      jobs: d.jobs,
      services: d.services,
      config: <S extends z.ZodType>(section: string, schema: S) => {
        this.sectionsRead.add(section);
        return readSection(d.config, section, schema);
      },
      registerMethods: (defs: readonly AnyMethodDef[]) => d.registry.register(defs, plugin.name),
      call: <A extends readonly MethodArg[], R extends z.ZodType>(def: MethodDef<A, R>, ...args: ArgsIn<A>) =>
        d.caller.inProcess(def as unknown as AnyMethodDef, args) as Promise<z.output<R>>,
    };
  }

  /**
   * Sets up every plugin in order. Errors propagate (the daemon refuses to start); the declared
   * config sections are checked first, every section's problems in one ConfigError.
   */
  async setup(plugins: readonly Plugin[]): Promise<void> {
    const issues = sectionIssues(this.#deps.config.sections, this.#deps.config.configFile, declaredSections(plugins));
    if (issues.length > 0) throw new ConfigError(issues.join('\n'));
    for (const plugin of plugins) {
      const hooks = (await plugin.setup(this.#context(plugin))) ?? {};
      this.#setUp.push({ name: plugin.name, hooks });
    }
  }

  /** Starts every plugin in order. */
  async start(): Promise<void> {
    for (const p of this.#setUp) {
      await p.hooks.start?.();
      this.#started.push(p);
    }
  }

  /** Stops started plugins in reverse order; a failing stop is logged and the others still stop. */
  async stop(): Promise<void> {
    for (const p of this.#started.reverse()) {
      try {
        await p.hooks.stop?.();
      } catch (err) {
        this.#deps.log.error({ err, plugin: p.name }, 'plugin failed to stop cleanly');
      }
    }
    this.#started.length = 0;
  }
}
