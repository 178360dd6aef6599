/**
 * The demo's undo list: every part of the world registers how to remove itself as soon as it
 * exists, and `run()` undoes them in reverse order (daemon before vcsim before the pool before the
 * zfs-fuse lease), once, continuing past failures. It has the `teardown(fn)` shape of a tap test, so
 * the test fixtures (startVcsim, …) can register with it directly.
 */

/** One undo action. */
interface Action {
  readonly what: string;
  readonly fn: () => unknown;
}

/** A LIFO list of undo actions. */
export class Teardown {
  readonly #actions: Action[] = [];
  #running: Promise<string[]> | null = null;

  /** Registers `fn` (tap-style, unnamed). */
  teardown(fn: () => unknown): void {
    this.add('cleanup', fn);
  }

  /** Registers `fn`, described as `what` in failure messages. Adding during `run()` runs it too. */
  add(what: string, fn: () => unknown): void {
    this.#actions.push({ what, fn });
  }

  /** True once `run()` was called. */
  get started(): boolean {
    return this.#running !== null;
  }

  /**
   * Runs every action, last registered first; resolves with one message per failed action
   * (`"<what>: <error>"`), empty when all succeeded. Later calls return the first call's promise.
   */
  run(): Promise<string[]> {
    this.#running ??= (async () => {
      const failures: string[] = [];
      for (let a = this.#actions.pop(); a !== undefined; a = this.#actions.pop()) {
        try {
          await a.fn();
        } catch (err) {
          failures.push(`${a.what}: ${(err as Error).message ?? String(err)}`);
        }
      }
      return failures;
    })();
    return this.#running;
  }
}
