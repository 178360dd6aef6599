/** Renders zod issues as `attribute: message` lines for config errors. */
import type { z } from 'zod';

/** One line per problem, `a.b.c: message`, with unknown keys named and the allowed ones listed when known. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${path ? `${path}.` : ''}${key}: unknown setting`);
    } else {
      lines.push(`${path || '(top level)'}: ${issue.message}`);
    }
  }
  return lines;
}
