/**
 * Per-resource state for the rules about contained resources and local references, checked
 * natively because their FHIRPath forms scan the whole resource (descendants()) for every
 * contained resource:
 * - ref-1: a local reference "#id" resolves to a contained resource of %rootResource
 *   (with the R4 technical correction that "#" alone refers to the container)
 * - dom-2: a contained resource has no contained resources
 * - dom-3: every contained resource is referenced from elsewhere in the resource, or refers
 *   to its container with "#"
 * - dom-4, dom-5: a contained resource has no meta.versionId, meta.lastUpdated, meta.security
 * - dom-6 (warning): a resource should have a narrative
 * See https://hl7.org/fhir/R4/domainresource.html#invs and https://hl7.org/fhir/R4/references.html#contained.
 */
import type { IssueList } from './issues.ts';

type Json = Record<string, unknown>;

export class ResourceScope {
  /** "#..." values of Reference.reference, canonical, uri and url seen in this resource */
  readonly localRefs = new Set<string>();
  /** true when something in this resource refers to its container ("#") */
  refersToContainer = false;
  readonly containedIds: ReadonlySet<string>;
  /** contained resources walked so far, with their paths (for dom-3) */
  readonly containedScopes: Array<[ResourceScope, string]> = [];

  constructor(
    readonly resource: Json,
    readonly root: Json,
    readonly container: ResourceScope | undefined,
  ) {
    this.containedIds = container ? container.containedIds : collectContainedIds(resource);
  }

  /** Records a local reference, for dom-3 of this resource and of its container. */
  addLocalRef(ref: string): void {
    if (ref === '#') {
      this.refersToContainer = true;
      return;
    }
    this.localRefs.add(ref);
    this.container?.localRefs.add(ref);
  }

  /** ref-1 on a Reference object. */
  checkReference(reference: unknown, path: string, issues: IssueList): void {
    if (typeof reference !== 'string' || !reference.startsWith('#')) return;
    this.addLocalRef(reference);
    if (reference !== '#' && !this.containedIds.has(reference.slice(1))) {
      issues.error('invariant', `Constraint failed: ref-1: local reference ${reference.slice(0, 65)} does not resolve to a contained resource`, `${path}.reference`);
    }
  }
}

function collectContainedIds(resource: Json): ReadonlySet<string> {
  const ids = new Set<string>();
  const contained = resource.contained;
  if (!Array.isArray(contained)) return ids;
  for (const c of contained) {
    if (c && typeof c === 'object' && typeof (c as Json).id === 'string') ids.add((c as Json).id as string);
  }
  return ids;
}

function metaOf(resource: Json): Json | undefined {
  const meta = resource.meta;
  return meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Json) : undefined;
}

/** dom-2, dom-4, dom-5 and the id requirement for one contained resource. */
export function checkContainedResource(resource: Json, path: string, issues: IssueList): void {
  if (typeof resource.id !== 'string') {
    issues.error('required', 'A contained resource must have an id (it is referenced as #id)', path);
  }
  if (resource.contained !== undefined) {
    issues.error('invariant', 'Constraint failed: dom-2: If the resource is contained in another resource, it SHALL NOT contain nested Resources', `${path}.contained`);
  }
  const meta = metaOf(resource);
  if (meta && (meta.versionId !== undefined || meta.lastUpdated !== undefined)) {
    issues.error('invariant', 'Constraint failed: dom-4: If a resource is contained in another resource, it SHALL NOT have a meta.versionId or a meta.lastUpdated', `${path}.meta`);
  }
  if (meta?.security !== undefined) {
    issues.error('invariant', 'Constraint failed: dom-5: If a resource is contained in another resource, it SHALL NOT have a security label', `${path}.meta.security`);
  }
}

/** dom-3 for a resource, once it and its contained resources have been walked. */
export function checkContainedReferenced(scope: ResourceScope, containedScopes: ReadonlyArray<[ResourceScope, string]>, issues: IssueList): void {
  for (const [child, path] of containedScopes) {
    const id = child.resource.id;
    if (typeof id !== 'string') continue;
    if (scope.localRefs.has(`#${id}`) || child.refersToContainer) continue;
    issues.error(
      'invariant',
      `Constraint failed: dom-3: The contained resource '${id.slice(0, 64)}' SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource`,
      path,
    );
  }
}

/** dom-6, a best-practice warning, reported for the resource being written only. */
export function checkHasNarrative(resource: Json, path: string, issues: IssueList): void {
  const text = resource.text;
  if (text && typeof text === 'object' && (text as Json).div !== undefined) return;
  issues.add('warning', 'invariant', 'Constraint failed: dom-6: A resource should have narrative for robust management', path);
}
