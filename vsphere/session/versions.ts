/**
 * vim25 API version negotiation (reference B.1, B.9). `GET /sdk/vimServiceVersions.xml` lists the
 * server's newest version and its prior versions:
 *
 * ```xml
 * <namespaces version="1.0"><namespace><name>urn:vim25</name><version>8.0.2.0</version>
 *   <priorVersions><version>8.0.1.0</version>…</priorVersions></namespace></namespaces>
 * ```
 *
 * Parsed defensively: a pre-release vCenter answered `<version>uA046D008</version>`, so only numeric
 * versions count, and the client picks the highest one it supports. The final version is also capped
 * by `ServiceContent.about.apiVersion`.
 */
import { child, childrenNamed, parseXml, type XmlNode } from '../soap/xml-reader.js';

/** Newest vim25 version this client claims to speak (it uses only 6.5-era methods and parses liberally). */
export const MAX_API_VERSION = '8.0.3.0';

/** Version used when the server's list is missing or unusable, until `about.apiVersion` is known. */
export const FALLBACK_API_VERSION = '6.5';

/** True for dotted numeric versions (`6.5`, `8.0.2.0`). */
export function isNumericVersion(v: string): boolean {
  return /^\d+(\.\d+)*$/.test(v);
}

/** Compares dotted numeric versions: negative, 0 or positive (`6.7` < `6.7.1` < `7.0.0.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Every version the `urn:vim25` namespace of a vimServiceVersions.xml document lists; [] when unusable. */
export function parseServiceVersions(xml: string): string[] {
  let root: XmlNode;
  try {
    root = parseXml(xml);
  } catch {
    return [];
  }
  const namespaces = root.name === 'namespaces' ? childrenNamed(root, 'namespace') : [];
  const vim25 = namespaces.find((n) => child(n, 'name')?.text.trim() === 'urn:vim25');
  if (!vim25) return [];
  const versions = [child(vim25, 'version'), ...childrenNamed(child(vim25, 'priorVersions'), 'version')];
  return versions.map((v) => v?.text.trim() ?? '').filter((v) => v !== '');
}

/**
 * The highest numeric version in `available` that is ≤ `max`; `max` itself when the server offers
 * only newer ones; undefined when it offers no numeric version.
 */
export function chooseVersion(available: readonly string[], max: string = MAX_API_VERSION): string | undefined {
  const numeric = available.filter(isNumericVersion).sort(compareVersions);
  if (numeric.length === 0) return undefined;
  const fitting = numeric.filter((v) => compareVersions(v, max) <= 0);
  return fitting.length > 0 ? fitting[fitting.length - 1] : max;
}

/**
 * The version to use for the session: the lowest of the version chosen from the server's list
 * (when there was one), its numeric `about.apiVersion`, and `max`; {@link FALLBACK_API_VERSION}
 * when the server revealed nothing numeric.
 */
export function finalVersion(listed: string | undefined, aboutApiVersion: string, max: string = MAX_API_VERSION): string {
  const known = [listed, isNumericVersion(aboutApiVersion) ? aboutApiVersion : undefined].filter(
    (v): v is string => v !== undefined,
  );
  if (known.length === 0) return FALLBACK_API_VERSION;
  return [...known, max].sort(compareVersions)[0] ?? FALLBACK_API_VERSION;
}
