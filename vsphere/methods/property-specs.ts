/**
 * PropertyCollector input types (`PropertyFilterSpec` and parts) and their XML form, in the WSDL
 * element order (reference B.4): PropertyFilterSpec = `propSet*`, `objectSet*`,
 * `reportMissingObjectsInResults?`; PropertySpec = `type`, `all?`, `pathSet*`; ObjectSpec = `obj`,
 * `skip?`, `selectSet*`; TraversalSpec = `name?`, `type`, `path`, `skip?`, `selectSet*` and must be
 * sent with `xsi:type="TraversalSpec"` because `selectSet` is declared as the base SelectionSpec.
 */
import type { MoRef } from '../types/values.js';
import { ref, typed, type SoapObject } from '../soap/xml-writer.js';

/** vim25 `PropertySpec`: which properties of which type. */
export interface PropertySpec {
  type: string;
  /** Every property (heavy; avoid). */
  all?: boolean;
  pathSet?: readonly string[];
}

/** vim25 `SelectionSpec` by name (a reference to a named TraversalSpec, for recursion). */
export interface SelectionSpec {
  name: string;
}

/** vim25 `TraversalSpec`: follow `path` of objects of `type`. */
export interface TraversalSpec {
  name?: string;
  type: string;
  path: string;
  skip?: boolean;
  selectSet?: readonly (TraversalSpec | SelectionSpec)[];
}

/** vim25 `ObjectSpec`: where collection starts. */
export interface ObjectSpec {
  obj: MoRef;
  skip?: boolean;
  selectSet?: readonly TraversalSpec[];
}

/** vim25 `PropertyFilterSpec`. */
export interface PropertyFilterSpec {
  propSet: readonly PropertySpec[];
  objectSet: readonly ObjectSpec[];
  reportMissingObjectsInResults?: boolean;
}

function selection(s: TraversalSpec | SelectionSpec): SoapObject {
  if (!('type' in s)) return { name: s.name };
  return typed('TraversalSpec', {
    name: s.name,
    type: s.type,
    path: s.path,
    skip: s.skip,
    selectSet: s.selectSet?.map(selection),
  });
}

/** The XML form of a {@link PropertyFilterSpec}. */
export function filterSpecParam(spec: PropertyFilterSpec): SoapObject {
  return {
    propSet: spec.propSet.map((p) => ({ type: p.type, all: p.all, pathSet: p.pathSet })),
    objectSet: spec.objectSet.map((o) => ({ obj: ref(o.obj), skip: o.skip, selectSet: o.selectSet?.map(selection) })),
    reportMissingObjectsInResults: spec.reportMissingObjectsInResults,
  };
}

/**
 * The spec govmomi's `view.ContainerView.Retrieve` builds: start at the view (skipped), follow its
 * `view` property, and read `pathSets[type]` of each object found.
 */
export function containerViewSpec(view: MoRef, pathSets: Readonly<Record<string, readonly string[]>>): PropertyFilterSpec {
  return {
    propSet: Object.entries(pathSets).map(([type, pathSet]) => ({ type, pathSet })),
    objectSet: [
      {
        obj: view,
        skip: true,
        selectSet: [{ name: 'traverseView', type: 'ContainerView', path: 'view', skip: false }],
      },
    ],
  };
}
