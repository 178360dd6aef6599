/**
 * The daemon's {@link EventBus}: plugins define events and publish `collection_update` bodies; wire
 * sessions subscribe through `core.subscribe` (role-checked per event, `*` = every event the caller
 * may see); in-process listeners use `on`. A failing listener never affects the publisher or others.
 */
import type { Logger } from 'pino';
import { CallError, Errno } from '../errors.js';
import type { CollectionUpdate, Disposable, EventBus } from '../plugin.js';
import type { Credentials, Role } from '../registry/method.js';
import { allowed } from '../registry/roles.js';

/** A declared event. */
export interface EventSpec {
  readonly name: string;
  readonly description: string;
  readonly roles: readonly Role[];
}

/** Name that subscribes to every event. */
export const ALL_EVENTS = '*';

interface Listener {
  readonly owner: string;
  readonly credentials: Credentials | null;
  readonly fn: (update: CollectionUpdate) => void;
}

/** Implements {@link EventBus} plus wire subscriptions. */
export class EventHub implements EventBus {
  readonly #events = new Map<string, EventSpec>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #warned = new Set<string>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Declares an event; throws on a duplicate name (a wiring bug). */
  define(name: string, spec: { description: string; roles: readonly Role[] }): void {
    if (name === ALL_EVENTS || this.#events.has(name)) throw new Error(`event ${name} is already defined`);
    this.#events.set(name, { name, description: spec.description, roles: [...spec.roles] });
  }

  /** Every declared event, sorted by name. */
  list(): EventSpec[] {
    return [...this.#events.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Delivers `update` to the listeners of its collection and of `*` (those allowed to see it). Never throws. */
  publish(update: CollectionUpdate): void {
    const spec = this.#events.get(update.collection);
    if (!spec && !this.#warned.has(update.collection)) {
      this.#warned.add(update.collection);
      this.#log.warn({ event: update.collection }, 'publishing an event that was never defined');
    }
    const roles = spec?.roles ?? [];
    for (const key of [update.collection, ALL_EVENTS]) {
      for (const l of this.#listeners.get(key) ?? []) {
        if (l.credentials && !allowed(l.credentials, roles)) continue;
        try {
          l.fn(update);
        } catch (err) {
          this.#log.error({ err }, `${l.owner}/${update.collection} listener failed`);
        }
      }
    }
  }

  /** In-process listener for `name` (or `*`). */
  on(name: string, owner: string, listener: (update: CollectionUpdate) => void): Disposable {
    return this.#add(name, { owner, credentials: null, fn: listener });
  }

  /**
   * A wire subscription (`core.subscribe`). Throws CallError ENOENT for an unknown event and EACCES
   * "Not authorized" when `credentials` lack the event's roles (for `*`, events are filtered per delivery).
   */
  subscribe(name: string, credentials: Credentials, owner: string, sink: (update: CollectionUpdate) => void): Disposable {
    if (name !== ALL_EVENTS) {
      const spec = this.#events.get(name);
      if (!spec) throw new CallError(`Event ${JSON.stringify(name)} does not exist`, Errno.ENOENT);
      if (!allowed(credentials, spec.roles)) throw new CallError('Not authorized', Errno.EACCES);
    }
    return this.#add(name, { owner, credentials, fn: sink });
  }

  #add(name: string, listener: Listener): Disposable {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
    return {
      dispose: () => {
        set.delete(listener);
      },
    };
  }
}
