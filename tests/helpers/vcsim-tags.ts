/**
 * Tags VMs in vcsim through the vSphere Automation REST API of govmomi's `vapi/simulator` (the
 * 6.5/6.7 `/rest/com/vmware/cis/…` flavour), as an administrator would in vCenter:
 *
 * ```ts
 * await tagVms(vc, [{ category: 'backup', tag: 'gold', vms: ['db'] }]);
 * ```
 */
import { Agent, request } from 'undici';
import type { VcsimHandle } from '../fixtures/vcsim/index.js';

/** One tag and the VMs (names) to attach it to. */
export interface TagAssignment {
  category: string;
  tag: string;
  vms: string[];
}

/** Creates the categories and tags (once each) and attaches them; throws on any non-200 answer. */
export async function tagVms(vc: VcsimHandle, assignments: readonly TagAssignment[]): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: vc.certPem } });
  const base = `https://${vc.host}:${vc.port}/rest/com/vmware/cis`;
  let session = '';
  const call = async (path: string, body?: unknown, auth?: string): Promise<unknown> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    if (session) headers['vmware-api-session-id'] = session;
    const res = await request(`${base}${path}`, { method: 'POST', dispatcher, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`POST ${path}: HTTP ${res.statusCode} ${text}`);
    return text ? (JSON.parse(text) as { value?: unknown }).value : undefined;
  };
  try {
    session = String(await call('/session', undefined, `Basic ${Buffer.from(`${vc.username}:${vc.password}`).toString('base64')}`));
    const categories = new Map<string, string>();
    const tags = new Map<string, string>();
    for (const a of assignments) {
      let cat = categories.get(a.category);
      if (!cat) {
        cat = String(await call('/tagging/category', { create_spec: { name: a.category, description: '', cardinality: 'MULTIPLE', associable_types: [] } }));
        categories.set(a.category, cat);
      }
      const key = `${a.category}/${a.tag}`;
      let tag = tags.get(key);
      if (!tag) {
        tag = String(await call('/tagging/tag', { create_spec: { name: a.tag, description: '', category_id: cat } }));
        tags.set(key, tag);
      }
      for (const name of a.vms) {
        const vm = vc.inventory.vms.find((v) => v.name === name);
        if (!vm) throw new Error(`no VM named ${name} in vcsim`);
        await call(`/tagging/tag-association/id:${tag}?~action=attach`, { object_id: { type: 'VirtualMachine', id: vm.moref } });
      }
    }
  } finally {
    await dispatcher.close();
  }
}
