/** Plugin config sections: `PluginContext.config(section, schema)`. */
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { describeIssues } from './issues.js';
import type { DaemonConfig } from './load.js';

/**
 * Parses the top-level `section` of the config file with `schema` (an absent section parses `{}`, so
 * field defaults apply). Throws {@link ConfigError} naming the file and the attribute (`vmware.timeout`).
 */
export function readSection<S extends z.ZodType>(config: DaemonConfig, section: string, schema: S): z.output<S> {
  const raw = config.sections[section];
  const parsed = schema.safeParse(raw === undefined ? {} : raw);
  if (parsed.success) return parsed.data;
  const where = config.configFile ?? '(built-in defaults)';
  throw new ConfigError(describeIssues(parsed.error.issues, section).map((l) => `${where}: ${l}`).join('\n'));
}
