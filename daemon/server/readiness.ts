/**
 * Readiness of the daemon for `/readyz`: the datastore is open, the API listeners are bound and the
 * plugins are started. Each part is set by daemon.ts at the point it becomes true (and cleared on
 * shutdown), so the endpoint answers 503 while starting or stopping.
 */

/** The parts that must all be ready. */
export type ReadinessPart = 'datastore' | 'listeners' | 'plugins';

const PARTS: readonly ReadinessPart[] = ['datastore', 'listeners', 'plugins'];

/** Ready flags. */
export class Readiness {
  readonly #ready = new Set<ReadinessPart>();

  /** Marks a part ready (true) or not (false). */
  set(part: ReadinessPart, ready: boolean): void {
    if (ready) this.#ready.add(part);
    else this.#ready.delete(part);
  }

  /** Every part with its flag, in a fixed order. */
  parts(): Record<ReadinessPart, boolean> {
    return Object.fromEntries(PARTS.map((p) => [p, this.#ready.has(p)])) as Record<ReadinessPart, boolean>;
  }

  /** True when every part is ready. */
  get ready(): boolean {
    return PARTS.every((p) => this.#ready.has(p));
  }
}
