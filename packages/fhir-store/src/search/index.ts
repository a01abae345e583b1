// Placeholder until the search module lands: indexes nothing.
import type { Resource } from 'fhir/r4';
import { emptyIndexRows, type IndexRows } from '../types.ts';

export function buildIndexRows(_resource: Resource): IndexRows {
  return emptyIndexRows();
}
