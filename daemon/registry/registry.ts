/**
 * The method registry: every API method by wire name, added by plugins at setup. Only the RPC edge
 * looks methods up by name; in-process callers hold the typed {@link MethodDef}.
 */
import type { z } from 'zod';
import { describeMethod, type MethodDescription } from './describe.js';
import type { AnyMethodDef } from './method.js';
import { validateArgs } from './validate.js';

/** Wire names: `namespace.verb_noun`, lower-case words separated by dots (`pool.snapshottask.create`). */
const METHOD_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A method's result did not match its result schema (only checked when `validateResults` is on). */
export class ResultValidationError extends Error {
  override readonly name = 'ResultValidationError';
}

/** The registry of API methods. */
export class MethodRegistry {
  readonly #methods = new Map<string, { def: AnyMethodDef; owner: string }>();
  readonly #descriptions = new Map<string, MethodDescription>();

  /**
   * Adds `defs`, owned by plugin `owner`. Throws (a wiring bug, caught at start-up) when a name is
   * malformed or already taken, or a job method is declared public.
   */
  register(defs: readonly AnyMethodDef[], owner: string): void {
    for (const def of defs) {
      if (!METHOD_NAME.test(def.name)) throw new Error(`${owner}: bad method name "${def.name}" (want namespace.verb_noun)`);
      const existing = this.#methods.get(def.name);
      if (existing) throw new Error(`${owner}: method ${def.name} is already registered by ${existing.owner}`);
      if (def.public && def.private) throw new Error(`${owner}: method ${def.name} cannot be both public and private`);
      if (def.public && def.job) throw new Error(`${owner}: job method ${def.name} cannot be public`);
      this.#methods.set(def.name, { def, owner });
    }
  }

  /** The method called `name`, or undefined. */
  get(name: string): AnyMethodDef | undefined {
    return this.#methods.get(name)?.def;
  }

  /** Every method, sorted by name. */
  list(): AnyMethodDef[] {
    return [...this.#methods.values()].map((m) => m.def).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `def`'s JSON Schema description (cached). */
  describe(def: AnyMethodDef): MethodDescription {
    let d = this.#descriptions.get(def.name);
    if (!d) {
      d = describeMethod(def);
      this.#descriptions.set(def.name, d);
    }
    return d;
  }

  /** Validates positional params (see {@link validateArgs}); throws ValidationErrors. */
  validateArgs(def: AnyMethodDef, params: readonly unknown[]): unknown[] {
    return validateArgs(def.args, params);
  }

  /** Throws {@link ResultValidationError} when `value` does not match `def`'s result schema. */
  checkResult(def: AnyMethodDef, value: unknown): void {
    const r = (def.result as z.ZodType).safeParse(value);
    if (!r.success) {
      const detail = r.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ');
      throw new ResultValidationError(`${def.name} returned a result that does not match its schema: ${detail}`);
    }
  }
}
