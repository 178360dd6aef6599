/**
 * A small client of the vSphere Automation API's tagging service (read-only), for tag selection
 * rules. Same TLS policy, credentials and timeouts as the SOAP client: it rides on the vSphere
 * client's {@link HttpTransport}.
 *
 * Two wire flavours (VMware's "vSphere Automation REST API" reference):
 * - `api` (vCenter 7.0 U2+): `POST /api/session` (HTTP Basic) → the session id as a JSON string;
 *   `GET /api/cis/tagging/category[/{id}]`, `GET /api/cis/tagging/tag[/{id}]`,
 *   `POST /api/cis/tagging/tag-association?action=list-attached-objects-on-tags`; bare JSON bodies.
 * - `rest` (vCenter 6.5/6.7, also later ones, and govmomi's `vapi/simulator`):
 *   `POST /rest/com/vmware/cis/session`, `…/cis/tagging/category[/id:{id}]`, `…/tag[/id:{id}]`,
 *   `…/tag-association?~action=list-attached-objects-on-tags`; bodies wrapped in `{"value": …}`.
 * The session id travels in the `vmware-api-session-id` header. An ESXi host alone answers 404 on
 * both session paths: {@link VapiUnavailableError}.
 */
import { HttpTransport } from '../transport/http-transport.js';
import { VsphereError, VsphereTransportError, type MoRef, type VsphereConnectOptions } from '../index.js';

/** Header carrying the Automation API session id. */
const SESSION_HEADER = 'vmware-api-session-id';
/** Category/tag reads in flight at once. */
const PARALLEL = 8;

/** The server has no Automation API (an ESXi host without vCenter). Kind `unsupported`. */
export class VapiUnavailableError extends VsphereError {
  override name = 'VapiUnavailableError';
  constructor(server: string) {
    super(
      `${server} offers no vSphere Automation API (no /api/session or /rest/com/vmware/cis/session; an ESXi host without vCenter?): vSphere tags can only be read through vCenter`,
      'unsupported',
      'protocol',
    );
  }
}

/** One tag with its category's name. */
export interface TagInfo {
  id: string;
  name: string;
  category: string;
}

interface Flavour {
  name: 'api' | 'rest';
  session: string;
  category: string;
  tag: string;
  item(base: string, id: string): string;
  attached: string;
  unwrap(json: unknown): unknown;
}

const FLAVOURS: readonly Flavour[] = [
  {
    name: 'api',
    session: '/api/session',
    category: '/api/cis/tagging/category',
    tag: '/api/cis/tagging/tag',
    item: (base, id) => `${base}/${encodeURIComponent(id)}`,
    attached: '/api/cis/tagging/tag-association?action=list-attached-objects-on-tags',
    unwrap: (j) => j,
  },
  {
    name: 'rest',
    session: '/rest/com/vmware/cis/session',
    category: '/rest/com/vmware/cis/tagging/category',
    tag: '/rest/com/vmware/cis/tagging/tag',
    item: (base, id) => `${base}/id:${encodeURIComponent(id)}`,
    attached: '/rest/com/vmware/cis/tagging/tag-association?~action=list-attached-objects-on-tags',
    unwrap: (j) => (j !== null && typeof j === 'object' && 'value' in j ? (j as { value: unknown }).value : j),
  },
];

async function inBatches<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(f))));
  return out;
}

/** A logged-in tagging client. */
export class VapiClient {
  readonly #t: HttpTransport;
  readonly #f: Flavour;
  readonly #session: string;
  readonly #timeoutMs: number;

  private constructor(t: HttpTransport, f: Flavour, session: string, timeoutMs: number) {
    this.#t = t;
    this.#f = f;
    this.#session = session;
    this.#timeoutMs = timeoutMs;
  }

  /** Which wire flavour the server speaks. */
  get flavour(): 'api' | 'rest' {
    return this.#f.name;
  }

  /**
   * Logs in (tries `/api/session`, then `/rest/com/vmware/cis/session`).
   * @throws VapiUnavailableError (no Automation API), VsphereError `auth` (401), TlsVerificationError,
   *   VsphereTransportError, VsphereTimeoutError
   */
  static async connect(opts: VsphereConnectOptions): Promise<VapiClient> {
    const t = new HttpTransport({ host: opts.host, port: opts.port ?? 443, ...(opts.tls ? { tls: opts.tls } : {}), connectTimeoutMs: opts.connectTimeoutMs ?? 10_000, connections: 2 });
    const timeoutMs = opts.callTimeoutMs ?? 60_000;
    const basic = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    try {
      for (const f of FLAVOURS) {
        const res = await t.request('POST', f.session, { timeoutMs, label: `POST ${f.session}`, ...(opts.signal ? { signal: opts.signal } : {}) }, undefined, { authorization: basic });
        if (res.status === 404) continue;
        if (res.status === 401 || res.status === 403) {
          throw new VsphereError(`vSphere Automation API login at ${t.server} refused (HTTP ${res.status}): check the user name and password`, 'denied', 'auth');
        }
        const id = f.unwrap(parse(res.status, res.body, f.session, t.server));
        if (res.status !== 200 && res.status !== 201) throw statusError(res.status, f.session, t.server);
        if (typeof id !== 'string' || id === '') throw statusError(res.status, f.session, t.server, 'no session id in the answer');
        return new VapiClient(t, f, id, timeoutMs);
      }
      throw new VapiUnavailableError(t.server);
    } catch (err) {
      await t.close().catch(() => undefined);
      throw err;
    }
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { [SESSION_HEADER]: this.#session, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.#t.request(method, path, { timeoutMs: this.#timeoutMs, label: `${method} ${path}` }, body === undefined ? undefined : JSON.stringify(body), headers);
    if (res.status !== 200) throw statusError(res.status, path, this.#t.server);
    return this.#f.unwrap(parse(res.status, res.body, path, this.#t.server));
  }

  async #ids(path: string): Promise<string[]> {
    const v = await this.#call('GET', path);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /**
   * Every tag with its category name (2 + categories + tags requests).
   * @throws VsphereTransportError (unexpected status or body), transport/timeout errors
   */
  async tags(): Promise<TagInfo[]> {
    const f = this.#f;
    const cats = await inBatches(await this.#ids(f.category), async (id) => (await this.#call('GET', f.item(f.category, id))) as { id?: string; name?: string });
    const catName = new Map(cats.map((c) => [String(c.id), String(c.name)]));
    const tags = await inBatches(await this.#ids(f.tag), async (id) => (await this.#call('GET', f.item(f.tag, id))) as { id?: string; name?: string; category_id?: string });
    return tags.map((t) => ({ id: String(t.id), name: String(t.name), category: catName.get(String(t.category_id)) ?? String(t.category_id) }));
  }

  /**
   * The objects each tag is attached to (one request).
   * @returns tag id → morefs (`{type: 'VirtualMachine', value: 'vm-42'}`)
   */
  async attachedObjects(tagIds: readonly string[]): Promise<Map<string, MoRef[]>> {
    const out = new Map<string, MoRef[]>(tagIds.map((id) => [id, []]));
    if (tagIds.length === 0) return out;
    const v = await this.#call('POST', this.#f.attached, { tag_ids: tagIds });
    for (const row of Array.isArray(v) ? (v as { tag_id?: string; object_ids?: { type?: string; id?: string }[] }[]) : []) {
      const list = out.get(String(row.tag_id));
      for (const o of row.object_ids ?? []) if (list && o.type && o.id) list.push({ type: o.type, value: o.id });
    }
    return out;
  }

  /** Logs out (best effort) and closes the connections. */
  async close(): Promise<void> {
    await this.#t
      .request('DELETE', this.#f.session, { timeoutMs: Math.min(5000, this.#timeoutMs) }, undefined, { [SESSION_HEADER]: this.#session })
      .catch(() => undefined);
    await this.#t.close();
  }
}

function statusError(status: number, path: string, server: string, why = `HTTP ${status}`): VsphereTransportError {
  return new VsphereTransportError(`vSphere Automation API ${path} at ${server}: ${why}`, { kind: 'failed', category: 'protocol', status });
}

function parse(status: number, body: string, path: string, server: string): unknown {
  try {
    return body === '' ? null : JSON.parse(body);
  } catch {
    throw statusError(status, path, server, `HTTP ${status} with a body that is not JSON`);
  }
}
