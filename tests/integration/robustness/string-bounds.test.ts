/**
 * Bounded input: every string a method accepts has a maxLength in its JSON Schema (core.get_methods,
 * so what clients see is what the daemon enforces), and an overlong string is refused with a
 * validation error that names the field and the limit without echoing the input.
 */
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';

type Schema = Record<string, unknown>;

/** Paths (`method arg.field[]`) of string schemas without maxLength, under `schema`. */
function unbounded(schema: unknown, path: string, out: string[]): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Schema;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string') && s.enum === undefined && s.const === undefined && typeof s.maxLength !== 'number') out.push(path);
  for (const [k, v] of Object.entries(s.properties ?? {})) unbounded(v, `${path}.${k}`, out);
  if (s.items) unbounded(s.items, `${path}[]`, out);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) if (Array.isArray(s[key])) for (const sub of s[key] as unknown[]) unbounded(sub, path, out);
  if (typeof s.additionalProperties === 'object') unbounded(s.additionalProperties, `${path}{}`, out);
  for (const [k, v] of Object.entries((s.$defs ?? s.definitions ?? {}) as Schema)) unbounded(v, `${path}#${k}`, out);
}

t.test('string bounds', async (t) => {
  const d = await startTestDaemon(t);
  const root = await d.root();

  t.test('every string parameter of every method has a maxLength', async (t) => {
    const methods = await root.call<Record<string, { accepts: Schema[] }>>('core.get_methods');
    const out: string[] = [];
    for (const [name, m] of Object.entries(methods)) for (const arg of m.accepts) unbounded(arg, `${name} ${String(arg._name_)}`, out);
    t.same(out, [], 'string schemas without maxLength');
    t.ok(Object.keys(methods).length > 40, 'the sweep saw the methods');
  });

  t.test('a 5,000-character NFS path: a clear error that does not echo it', async (t) => {
    const path = `/mnt/${'a'.repeat(5000)}`;
    const err = await root.call('sharing.nfs.create', { path }).catch((e: unknown) => e as { errors: { attribute: string; message: string }[]; message: string });
    t.match(err, { errors: [{ attribute: 'sharingnfs_create.path', message: /at most 4095 characters/ }] });
    t.notOk(JSON.stringify(err).includes('a'.repeat(100)), 'the error does not carry the path');
    const longName = `/mnt/${'b'.repeat(300)}/x`;
    const named = await root.call('sharing.nfs.create', { path: longName }).catch((e: unknown) => e);
    t.match(named, { errors: [{ attribute: 'sharingnfs_create.path', message: /longer than 255 bytes/ }] }, 'a 300-character folder name: a clear message, not a raw ENAMETOOLONG');
    t.notOk(JSON.stringify(named).includes('b'.repeat(100)));
  });
});
