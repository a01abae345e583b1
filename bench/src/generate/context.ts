/** Shared state while one patient's record is being generated. */
import type { FhirResource, Meta, Reference } from 'fhir/r4';
import type { ChronicKey, Sensitivity } from './conditions-catalog.ts';
import { SENSITIVITY_DISPLAY } from './conditions-catalog.ts';
import { uuidFrom } from './ids.ts';
import type { Rng } from './rng.ts';
import { SYS } from './terminology.ts';

export interface OrganizationInfo {
  id: string;
  name: string;
  /** Identifier system for this organization's MRNs, e.g. 'urn:oid:2.16.840.1.113883.3.9999.1'. */
  mrnSystem: string;
}

export interface StaffMember {
  readonly id: string;
  readonly display: string;
}

/** What every patient record needs to know about the organization that holds it. */
export interface OrgContext {
  readonly info: OrganizationInfo;
  readonly practitioners: readonly StaffMember[];
  readonly location: StaffMember;
}

/** Facts about the person that clinical generators read (not all of them end up in the Patient resource). */
export interface Person {
  readonly sex: 'male' | 'female';
  readonly birthMs: number;
  /** Age at "now", in fractional years. */
  readonly age: number;
  readonly given: string;
  readonly family: string;
  /** Adult height in cm (children grow towards it). */
  readonly adultHeight: number;
  readonly adultBmi: number;
  /** Index into the organization's practitioners of the primary care provider. */
  readonly pcp: number;
  readonly chronic: Set<ChronicKey>;
}

export type Head = { id?: string; meta?: Meta };

/** Meta for a resource carrying one of the sensitive-information labels. */
export function securityMeta(label: Sensitivity): Meta {
  return { security: [{ system: SYS.v3ActCode, code: label, display: SENSITIVITY_DISPLAY[label] }] };
}

export class RecordBuilder {
  readonly resources: FhirResource[] = [];
  /** ids[i] is the id of resources[i], also kept when the resource itself carries none (bundle mode). */
  readonly ids: string[] = [];
  readonly patientId: string;
  private readonly emptyHead: Head = {};

  constructor(
    readonly rng: Rng,
    private readonly idRng: Rng,
    /** true: server-style ids and 'Type/id' references; false: no ids and 'urn:uuid:' references. */
    readonly withIds: boolean,
    readonly org: OrgContext,
    readonly nowMs: number,
  ) {
    this.patientId = this.newId();
  }

  newId(): string {
    return uuidFrom(this.idRng);
  }

  /** Reference to a resource inside this record. */
  ref(type: string, id: string): Reference {
    return { reference: this.withIds ? `${type}/${id}` : `urn:uuid:${id}` };
  }

  patientRef(): Reference {
    return this.ref('Patient', this.patientId);
  }

  practitionerRef(index: number): Reference {
    const staff = this.org.practitioners;
    const p = staff[index % staff.length] as StaffMember;
    return { reference: `Practitioner/${p.id}`, display: p.display };
  }

  orgRef(): Reference {
    return { reference: `Organization/${this.org.info.id}`, display: this.org.info.name };
  }

  locationRef(): Reference {
    return { reference: `Location/${this.org.location.id}`, display: this.org.location.display };
  }

  /** The leading id/meta fields of a resource, spread right after resourceType so JSON keeps the usual order. */
  head(id: string, label?: Sensitivity): Head {
    if (label) return this.withIds ? { id, meta: securityMeta(label) } : { meta: securityMeta(label) };
    return this.withIds ? { id } : this.emptyHead;
  }

  add(resource: FhirResource, id: string): void {
    this.resources.push(resource);
    this.ids.push(id);
  }

  get count(): number {
    return this.resources.length;
  }
}

/** An encounter already emitted, as seen by the resources generated inside it. */
export interface EncounterInfo {
  readonly id: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly practitioner: number;
  /** Patient age (years) at the start of the encounter. */
  readonly age: number;
}
