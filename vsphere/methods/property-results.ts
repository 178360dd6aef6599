/**
 * Decoders for PropertyCollector answers: `RetrieveResult`/`ObjectContent` (RetrievePropertiesEx)
 * and `UpdateSet` (WaitForUpdatesEx). Shapes: govmomi `vim25/types` (reference B.4, B.7).
 */
import { bool, obj, objs, ref, str } from '../types/read.js';
import type { MoRef, VimObject, VimValue } from '../types/values.js';

/** A property the server could not read for an object (vim25 `MissingProperty`), e.g. NoPermission. */
export interface MissingProperty {
  path: string;
  /** The LocalizedMethodFault: `{fault: {_type, …}, localizedMessage}`. */
  fault: VimObject;
}

/** vim25 `ObjectContent`: one object with the properties asked for. Unset properties are absent. */
export interface ObjectContent {
  obj: MoRef;
  /** Property path → value. */
  props: Record<string, VimValue>;
  missing: MissingProperty[];
}

/** vim25 `RetrieveResult`: one page; `token` is set when more pages remain. */
export interface RetrieveResult {
  token: string | undefined;
  objects: ObjectContent[];
}

function decodeMissing(v: VimValue | undefined): MissingProperty[] {
  return objs(v).map((m) => ({ path: str(m.path) ?? '', fault: obj(m.fault) ?? {} }));
}

/** Decodes one `ObjectContent`; undefined when it names no object. */
export function decodeObjectContent(v: VimValue): ObjectContent | undefined {
  const o = obj(v);
  const moref = ref(o?.obj);
  if (!o || !moref) return undefined;
  const props: Record<string, VimValue> = {};
  for (const p of objs(o.propSet)) {
    const name = str(p.name);
    if (name !== undefined && p.val !== undefined) props[name] = p.val;
  }
  return { obj: moref, props, missing: decodeMissing(o.missingSet) };
}

/** Decodes a `RetrieveResult` (absent → empty result). */
export function decodeRetrieveResult(v: VimValue | undefined): RetrieveResult {
  const o = obj(v);
  const objects: ObjectContent[] = [];
  for (const item of objs(o?.objects)) {
    const c = decodeObjectContent(item);
    if (c) objects.push(c);
  }
  const token = str(o?.token);
  return { token: token ? token : undefined, objects };
}

/** vim25 `PropertyChange`. `op` is `assign | add | remove | indirectRemove`. */
export interface PropertyChange {
  name: string;
  op: string;
  val: VimValue | undefined;
}

/** vim25 `ObjectUpdate`. `kind` is `enter | modify | leave`. */
export interface ObjectUpdate {
  kind: string;
  obj: MoRef;
  changeSet: PropertyChange[];
  missingSet: MissingProperty[];
}

/** vim25 `MissingObject`: an object of the filter the server cannot read (e.g. deleted). */
export interface MissingObject {
  obj: MoRef;
  fault: VimObject;
}

/** vim25 `PropertyFilterUpdate`. */
export interface PropertyFilterUpdate {
  filter: MoRef | undefined;
  objectSet: ObjectUpdate[];
  missingSet: MissingObject[];
}

/** vim25 `UpdateSet`; `version` is what the next WaitForUpdatesEx must send back. */
export interface UpdateSet {
  version: string;
  filterSet: PropertyFilterUpdate[];
  truncated: boolean;
}

/** Decodes an `UpdateSet`. */
export function decodeUpdateSet(v: VimValue): UpdateSet {
  const o = obj(v);
  const filterSet: PropertyFilterUpdate[] = objs(o?.filterSet).map((f) => ({
    filter: ref(f.filter),
    objectSet: objs(f.objectSet).flatMap((u) => {
      const moref = ref(u.obj);
      if (!moref) return [];
      const changeSet = objs(u.changeSet).map((c) => ({ name: str(c.name) ?? '', op: str(c.op) ?? 'assign', val: c.val }));
      return [{ kind: str(u.kind) ?? 'modify', obj: moref, changeSet, missingSet: decodeMissing(u.missingSet) }];
    }),
    missingSet: objs(f.missingSet).flatMap((m) => {
      const moref = ref(m.obj);
      return moref ? [{ obj: moref, fault: obj(m.fault) ?? {} }] : [];
    }),
  }));
  return { version: str(o?.version) ?? '', filterSet, truncated: bool(o?.truncated) ?? false };
}
