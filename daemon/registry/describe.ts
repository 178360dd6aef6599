/**
 * `core.get_methods` descriptions: each method's arguments and result as JSON Schema (draft 2020-12,
 * from zod 4's `z.toJSONSchema`), with its docs, roles and job flag. Shaped like TrueNAS's
 * `core.get_methods` (`accepts` = one schema per positional argument, `returns`).
 */
import { z } from 'zod';
import type { AnyMethodDef } from './method.js';

/** A method as `core.get_methods` lists it. */
export interface MethodDescription {
  description: string;
  /** One JSON Schema per positional argument, each titled with the argument name. */
  accepts: Record<string, unknown>[];
  /** JSON Schema of the result. */
  returns: Record<string, unknown>;
  roles: string[];
  job: boolean;
  /** For jobs: whether `core.job_abort` may abort it. */
  abortable: boolean;
  /** Callable without logging in. */
  public: boolean;
}

/** JSON Schema of one zod schema; types JSON cannot express (dates, transforms) become `{}` rather than failing. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
    delete out.$schema;
    return out;
  } catch {
    return {};
  }
}

/** Describes `def` (compute once per method and cache: conversion walks the whole schema). */
export function describeMethod(def: AnyMethodDef): MethodDescription {
  return {
    description: def.description,
    accepts: def.args.map((arg) => {
      const s = jsonSchema(arg.schema, 'input');
      // `_name_`/`_required_` as TrueNAS's legacy accepts; `title` is the argument name (overrides a schema title).
      return { ...s, title: arg.name, _name_: arg.name, _required_: !arg.schema.safeParse(undefined).success };
    }),
    returns: jsonSchema(def.result, 'output'),
    roles: [...def.roles],
    job: def.job !== undefined,
    abortable: def.job !== undefined && def.job.abortable !== false,
    public: def.public === true,
  };
}
