/**
 * Tags VMs in vcsim through the vSphere Automation REST API of govmomi's `vapi/simulator` (the
 * 6.5/6.7 `/rest/com/vmware/cis/…` flavour), as an administrator would in vCenter:
 *
 * ```ts
 * await tagVms(vc, [{ category: 'backup', tag: 'gold', vms: ['db'] }]);
 * await deleteTag(vc, 'backup', 'gold');
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

type Call = (path: string, body?: unknown, method?: 'POST' | 'GET' | 'DELETE') => Promise<unknown>;

/** Runs `f` with a logged-in caller of the simulator's REST API (`{value}` unwrapped; non-200 throws). */
async function withSession<T>(vc: VcsimHandle, f: (call: Call) => Promise<T>): Promise<T> {
  const dispatcher = new Agent({ connect: { ca: vc.certPem } });
  const base = `https://${vc.host}:${vc.port}/rest/com/vmware/cis`;
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${vc.username}:${vc.password}`).toString('base64')}` };
  const call: Call = async (path, body, method = 'POST') => {
    const res = await request(`${base}${path}`, { method, dispatcher, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text}`);
    return text ? (JSON.parse(text) as { value?: unknown }).value : undefined;
  };
  try {
    headers['vmware-api-session-id'] = String(await call('/session'));
    return await f(call);
  } finally {
    await dispatcher.close();
  }
}

/** Deletes the tag `category/tag` (its attachments go with it). */
export async function deleteTag(vc: VcsimHandle, category: string, tag: string): Promise<void> {
  await withSession(vc, async (call) => {
    const cats = (await call('/tagging/category', undefined, 'GET')) as string[];
    for (const c of cats) {
      if (((await call(`/tagging/category/id:${c}`, undefined, 'GET')) as { name: string }).name !== category) continue;
      for (const id of (await call(`/tagging/tag/id:${c}?~action=list-tags-for-category`)) as string[]) {
        if (((await call(`/tagging/tag/id:${id}`, undefined, 'GET')) as { name: string }).name === tag) await call(`/tagging/tag/id:${id}`, undefined, 'DELETE');
      }
    }
  });
}

/** Creates the categories and tags (once each) and attaches them; throws on any non-200 answer. */
export async function tagVms(vc: VcsimHandle, assignments: readonly TagAssignment[]): Promise<void> {
  await withSession(vc, async (call) => {
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
  });
}
