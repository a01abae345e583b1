/**
 * Native evaluation of compiled search paths (see registry-data.ts in @kennebec/fhir): property
 * walks over the resource JSON, flattening arrays as FHIRPath does. This is the fast path the
 * index builder uses for all but a handful of parameters.
 */
import type { CompiledPath } from '@kennebec/fhir';

type Step = { kind: 'prop'; key: string } | { kind: 'where'; field: string; value: string } | { kind: 'refIs'; type: string };

export interface Walker {
  leaf: string;
  steps: readonly Step[];
}

export function compilePath(path: CompiledPath): Walker {
  const [leaf, ...raw] = path;
  const steps = raw.map((s): Step => {
    if (s.startsWith('?')) {
      const eq = s.indexOf('=');
      return { kind: 'where', field: s.slice(1, eq), value: s.slice(eq + 1) };
    }
    if (s.startsWith('@')) return { kind: 'refIs', type: s.slice(1) };
    return { kind: 'prop', key: s };
  });
  return { leaf: leaf ?? '', steps };
}

const ABSOLUTE_REF_TYPE = /\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/;

/** `reference.where(resolve() is Type)` without resolving: the type named by the reference. */
export function referenceType(ref: Record<string, unknown>): string | undefined {
  const r = ref.reference;
  if (typeof r === 'string') {
    const slash = r.indexOf('/');
    if (slash > 0 && !r.includes(':')) return r.slice(0, slash);
    return ABSOLUTE_REF_TYPE.exec(r)?.[1];
  }
  return typeof ref.type === 'string' ? ref.type : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Appends to `out` every value the path yields from `node`. */
export function collect(node: unknown, steps: readonly Step[], i: number, out: unknown[]): void {
  walk(node, steps, i, out);
}

/** Calls `emit` (or appends to an array) for every value the path yields from `node`. */
export function walk(node: unknown, steps: readonly Step[], i: number, emit: ((v: unknown) => void) | unknown[]): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, steps, i, emit);
    return;
  }
  const step = steps[i];
  if (step === undefined) {
    if (Array.isArray(emit)) emit.push(node);
    else emit(node);
    return;
  }
  if (!isObject(node)) return;
  switch (step.kind) {
    case 'prop':
      walk(node[step.key], steps, i + 1, emit);
      return;
    case 'where':
      if (node[step.field] === step.value) walk(node, steps, i + 1, emit);
      return;
    case 'refIs':
      if (referenceType(node) === step.type) walk(node, steps, i + 1, emit);
      return;
  }
}
