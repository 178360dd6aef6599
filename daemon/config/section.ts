/** Plugin config sections: `PluginContext.config(section, schema)`. */
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { describeIssues } from './issues.js';

/**
 * What a plugin section is read from: the file's top-level keys and the file's name for messages
 * (./load.ts's DaemonConfig is one).
 */
export interface SectionSource {
  /** The file that was read, or null for the built-in defaults. */
  readonly configFile: string | null;
  /** Every top-level section of the file as written. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/**
 * Every problem of the plugin sections `declared` (section name → schema) in `sections` (the file's
 * top-level keys), one `<file>: <section>.<attribute>: <message>` line each; empty when all parse.
 */
export function sectionIssues(sections: Readonly<Record<string, unknown>>, file: string | null, declared: Readonly<Record<string, z.ZodType>>): string[] {
  const where = file ?? '(built-in defaults)';
  return Object.entries(declared).flatMap(([section, schema]) => {
    const parsed = schema.safeParse(sections[section] === undefined ? {} : sections[section]);
    return parsed.success ? [] : describeIssues(parsed.error.issues, section).map((l) => `${where}: ${l}`);
  });
}

/**
 * Parses the top-level `section` of the config file with `schema` (an absent section parses `{}`, so
 * field defaults apply). Throws {@link ConfigError} naming the file and the attribute (`vmware.timeout`).
 */
export function readSection<S extends z.ZodType>(config: SectionSource, section: string, schema: S): z.output<S> {
  const raw = config.sections[section];
  const parsed = schema.safeParse(raw === undefined ? {} : raw);
  if (parsed.success) return parsed.data;
  const where = config.configFile ?? '(built-in defaults)';
  throw new ConfigError(describeIssues(parsed.error.issues, section).map((l) => `${where}: ${l}`).join('\n'));
}
