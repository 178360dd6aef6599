/**
 * Checks a snapshot task's `vmware_rules` when the task is saved (pool's
 * `SnapshotCoordinator.checkTaskOptions` seam): against every server of the enabled entries covering
 * the task's dataset, one login and inventory read each (plus the tags when a rule names one), with
 * the same checks as an entry's rules ({@link checkRules}). A server that cannot be reached is not a
 * problem here: the run reports then what it finds.
 */
import type { TaskOptionProblem, VmwareTaskOptions } from '../../../pool/snapshot-hook.js';
import type { VmwareEntriesService } from '../../entries-service.js';
import { groupByServer } from '../servers.js';
import { checkRules } from './check.js';
import { collectRuleFacts } from './facts.js';
import { rulesEmpty } from './schema.js';

/** The problems of `options.rules` on the servers covering `dataset` (each one once, with the server named when there are several). */
export async function checkTaskRules(entries: VmwareEntriesService, dataset: string, recursive: boolean, options: VmwareTaskOptions): Promise<TaskOptionProblem[]> {
  const rules = options.rules;
  if (!rules || rulesEmpty(rules)) return [];
  const groups = groupByServer(entries.forDataset(dataset, recursive));
  const found = await Promise.all(
    groups.map(async (g) => {
      let client;
      try {
        client = await entries.connect(g.target);
        const inv = await client.inventory({ rules: true });
        const facts = await collectRuleFacts(inv, rules, () => entries.connectTags(g.target));
        return checkRules(rules, facts, []).problems.map((p) => ({
          path: `vmware_rules.${p.path}`,
          message: groups.length > 1 ? `${g.hostname}: ${p.message}` : p.message,
        }));
      } catch {
        return [];
      } finally {
        await client?.close().catch(() => undefined);
      }
    }),
  );
  const seen = new Set<string>();
  return found.flat().filter((p) => !seen.has(`${p.path}\0${p.message}`) && seen.add(`${p.path}\0${p.message}`));
}
