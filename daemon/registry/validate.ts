/**
 * Positional argument validation: each argument is parsed by its zod schema and every failure becomes
 * a {@link ValidationErrors} entry whose attribute is `<argname>.<path>`, worded like TrueNAS's pydantic
 * models ("Field required", "Extra inputs are not permitted", "Input should be a valid string").
 */
import type { z } from 'zod';
import { Errno, ValidationErrors } from '../errors.js';
import type { MethodArg } from './method.js';

/** pydantic's wording for a wrong JSON type, keyed by zod's `expected`. */
const TYPE_WORDS: Record<string, string> = {
  string: 'Input should be a valid string',
  number: 'Input should be a valid number',
  int: 'Input should be a valid integer',
  boolean: 'Input should be a valid boolean',
  array: 'Input should be a valid list',
  tuple: 'Input should be a valid list',
  object: 'Input should be a valid dictionary',
  record: 'Input should be a valid dictionary',
  null: 'Input should be None',
  date: 'Input should be a valid datetime',
};

/** Dotted attribute for a path under an argument: `vmware_create` + `["tls","verify"]` → `vmware_create.tls.verify`. */
function attributeOf(argName: string, path: readonly PropertyKey[]): string {
  return [argName, ...path.map(String)].filter((p) => p !== '').join('.');
}

/** Adds one zod issue to `errors`, as one or more TrueNAS-style validation errors. */
export function addIssue(errors: ValidationErrors, argName: string, issue: z.core.$ZodIssue): void {
  const attribute = attributeOf(argName, issue.path);
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      errors.add(attributeOf(attribute, [key]), 'Extra inputs are not permitted', Errno.EINVAL);
    }
    return;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // zod reports a failed union (`vmware.test(id | draft)`) as one bare "Invalid input" on the
    // union itself. The branches whose input type matched are the ones the caller meant: report
    // their issues (paths are relative to the union), so a draft with `hostname: 5` names
    // `vmware_test.hostname`. When no branch's type matched, list the types that would.
    const near = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
    if (near.length === 1) {
      for (const sub of near[0]!) addIssue(errors, argName, { ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue);
      return;
    }
    if (near.length === 0) {
      const words = issue.errors
        .flatMap((branch) => branch.map((i) => (i.code === 'invalid_type' ? TYPE_WORDS[i.expected] : undefined)))
        .filter((w, i, all): w is string => w !== undefined && all.indexOf(w) === i)
        .map((w, i) => (i === 0 ? w : w.replace(/^Input should be /, '')));
      if (words.length > 0) {
        errors.add(attribute, words.join(' or '), Errno.EINVAL);
        return;
      }
    }
  }
  if (issue.code === 'invalid_type') {
    // Parsed with reportInput: a missing field is the only invalid_type issue without `input`.
    if (!('input' in issue) || issue.input === undefined) {
      errors.add(attribute, 'Field required', Errno.EINVAL);
      return;
    }
    if (issue.message.startsWith('Invalid input: expected') && TYPE_WORDS[issue.expected]) {
      errors.add(attribute, TYPE_WORDS[issue.expected] ?? issue.message, Errno.EINVAL);
      return;
    }
  }
  errors.add(attribute, issue.message, Errno.EINVAL);
}

/**
 * Validates positional `params` against `args` and returns the parsed values (defaults applied).
 * Throws {@link ValidationErrors}: too many arguments (attribute `""`), or every schema failure.
 */
export function validateArgs(args: readonly MethodArg[], params: readonly unknown[]): unknown[] {
  if (params.length > args.length) {
    throw new ValidationErrors().add('', `Too many arguments (expected ${args.length}, found ${params.length})`, Errno.EINVAL);
  }
  // The error list (an Error, so it captures a stack) is built only when an argument fails: most
  // calls pass, and building it up front cost a tenth of a core.ping's time.
  let errors: ValidationErrors | undefined;
  const out: unknown[] = [];
  args.forEach((arg, i) => {
    const result = arg.schema.safeParse(params[i], { reportInput: true });
    if (result.success) out.push(result.data);
    else for (const issue of result.error.issues) addIssue((errors ??= new ValidationErrors()), arg.name, issue);
  });
  errors?.check();
  return out;
}
