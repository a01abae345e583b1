/** The organization that holds the records, with its practitioners and main location. */
import type { Address, Location, Organization, Practitioner } from 'fhir/r4';
import type { OrganizationInfo, OrgContext, StaffMember } from './context.ts';
import { uuidFrom } from './ids.ts';
import { emailPart, FAMILY, FEMALE_GIVEN, MALE_GIVEN } from './names.ts';
import { STREET_NAMES, TOWNS } from './places.ts';
import { hashString, Rng, seedWords } from './rng.ts';
import { SYS } from './terminology.ts';

/** Fixed so generateOrganization and the patient generator agree on who can be referenced. */
export const PRACTITIONERS_PER_ORGANIZATION = 8;

/** Stream tag keeping organization draws independent from every patient's stream. */
const ORG_STREAM = 0x6f726721;

const CREDENTIALS = [
  { text: 'Doctor of Medicine', suffix: 'MD', doctor: true },
  { text: 'Doctor of Medicine', suffix: 'MD', doctor: true },
  { text: 'Doctor of Osteopathic Medicine', suffix: 'DO', doctor: true },
  { text: 'Nurse Practitioner', suffix: 'NP', doctor: false },
  { text: 'Physician Assistant', suffix: 'PA', doctor: false },
] as const;

export interface OrganizationOptions {
  seed: number;
  organization: OrganizationInfo;
}

export interface OrganizationResources {
  organization: Organization;
  practitioners: Practitioner[];
  location: Location;
}

function staffSystem(info: OrganizationInfo): string {
  return `https://kennebec.example.org/sid/${encodeURIComponent(info.id)}/staff`;
}

/** Organization, practitioners and location, all with server-style ids (the organization keeps the caller's id). */
export function generateOrganization(opts: OrganizationOptions): OrganizationResources {
  const info = opts.organization;
  // It becomes Organization.id and part of every reference, so it must be a valid FHIR id.
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(info.id)) throw new RangeError(`organization.id is not a valid FHIR id: ${JSON.stringify(info.id)}`);
  const rng = Rng.fromWords([...seedWords(opts.seed), hashString(info.id), ORG_STREAM]);
  const idRng = Rng.fromWords([...seedWords(opts.seed), hashString(info.id), ORG_STREAM + 1]);
  const town = TOWNS.sample(rng);
  const street = `${rng.range(10, 400)} ${rng.pick(STREET_NAMES)} Street`;
  // A new object per use: resources never share nested objects.
  const address = (): Address => ({
    use: 'work',
    line: [street],
    city: town.city,
    district: town.district,
    state: town.state,
    postalCode: town.zip,
    country: 'US',
  });
  const phone = `(${town.areaCode}) 555-${String(rng.range(100, 199)).padStart(4, '0')}`;

  const practitioners: Practitioner[] = [];
  for (let i = 0; i < PRACTITIONERS_PER_ORGANIZATION; i++) {
    const female = rng.chance(0.55);
    const given = (female ? FEMALE_GIVEN : MALE_GIVEN).sample(rng);
    const family = FAMILY.sample(rng);
    const credential = rng.pick(CREDENTIALS);
    const id = uuidFrom(idRng);
    practitioners.push({
      resourceType: 'Practitioner',
      id,
      identifier: [{ system: staffSystem(info), value: `S${String(1001 + i)}` }],
      active: true,
      name: [
        {
          use: 'official',
          family,
          given: [given],
          ...(credential.doctor ? { prefix: ['Dr.'] } : undefined),
          suffix: [credential.suffix],
        },
      ],
      telecom: [
        { system: 'phone', value: phone, use: 'work' },
        { system: 'email', value: `${emailPart(given)}.${emailPart(family)}@example.org`, use: 'work' },
      ],
      gender: female ? 'female' : 'male',
      qualification: [{ code: { text: credential.text } }],
    });
  }

  const location: Location = {
    resourceType: 'Location',
    id: uuidFrom(idRng),
    status: 'active',
    name: `${info.name} Main Campus`,
    mode: 'instance',
    telecom: [{ system: 'phone', value: phone, use: 'work' }],
    address: address(),
    physicalType: { coding: [{ system: SYS.locationPhysicalType, code: 'bu', display: 'Building' }] },
    managingOrganization: { reference: `Organization/${info.id}`, display: info.name },
  };

  const organization: Organization = {
    resourceType: 'Organization',
    id: info.id,
    identifier: [{ system: 'https://kennebec.example.org/sid/organization', value: info.id }],
    active: true,
    type: [{ coding: [{ system: SYS.organizationType, code: 'prov', display: 'Healthcare Provider' }] }],
    name: info.name,
    telecom: [{ system: 'phone', value: phone, use: 'work' }],
    address: [address()],
  };
  return { organization, practitioners, location };
}

function displayName(p: Practitioner): string {
  const n = p.name?.[0];
  const full = `${n?.given?.join(' ') ?? ''} ${n?.family ?? ''}`;
  return n?.prefix ? `${n.prefix.join(' ')} ${full}` : `${full}, ${n?.suffix?.join(' ') ?? ''}`;
}

/** What patient records need from the organization: ids and display names only. */
export function organizationContext(opts: OrganizationOptions): OrgContext {
  const { practitioners, location } = generateOrganization(opts);
  const staff: StaffMember[] = practitioners.map((p) => ({ id: p.id as string, display: displayName(p) }));
  return {
    info: { ...opts.organization },
    practitioners: staff,
    location: { id: location.id as string, display: location.name ?? '' },
  };
}
