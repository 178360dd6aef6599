/**
 * Length bounds of string parameters: every string a method accepts has a `.max()` (shown as
 * `maxLength` by `core.get_methods`), so no request can make the daemon hold or echo an unbounded
 * string. The limits follow the things they name.
 */
import { z } from 'zod';

/** A name: user, group, key, dataset (ZFS_MAX_DATASET_NAME_LEN is 256 with the NUL), host, event, id. */
export const MAX_NAME = 255;
/** A file system path (PATH_MAX is 4096 with the NUL). */
export const MAX_PATH = 4095;
/** Free text, patterns, schedules, secrets (passwords, API keys, tokens). */
export const MAX_TEXT = 1024;
/** A PEM document (a CA bundle). */
export const MAX_PEM = 65536;

/** A string of at most `max` characters, refused with pydantic's wording (the input is not echoed). */
export function boundedString(max: number): z.ZodString {
  return z.string().max(max, `String should have at most ${max} characters`);
}
