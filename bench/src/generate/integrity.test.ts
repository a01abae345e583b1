import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { generateOrganization, generatePatientRecords, generatePopulation } from './index.ts';
import { NOW, options, references, walk } from './test-support.ts';

const opts = options({ patients: 300 });
const org = generateOrganization(opts);
const external = new Set([
  `Organization/${org.organization.id}`,
  `Location/${org.location.id}`,
  ...org.practitioners.map((p) => `Practitioner/${p.id}`),
]);
const bundles: Bundle[] = [...generatePopulation(opts)];

/** Fields that must lie between birth and "now" (Goal.target.dueDate may legitimately be in the future). */
const DATED = new Set([
  'onsetDateTime', 'abatementDateTime', 'recordedDate', 'effectiveDateTime', 'issued', 'authoredOn',
  'occurrenceDateTime', 'performedDateTime', 'date', 'start', 'end', 'startDate', 'creation',
]);

describe('reference integrity', () => {
  it('resolves every reference in a bundle to an entry or to the organization and its staff', () => {
    const problems: string[] = [];
    const uuid = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bundle of bundles) {
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
      const fullUrls = new Set(bundle.entry?.map((e) => e.fullUrl));
      if (fullUrls.size !== bundle.entry?.length) problems.push('duplicate fullUrl');
      for (const entry of bundle.entry ?? []) {
        const type = entry.resource?.resourceType;
        if (!uuid.test(entry.fullUrl ?? '')) problems.push(`bad fullUrl ${entry.fullUrl}`);
        if (entry.resource && 'id' in entry.resource) problems.push(`${type} has an id in a transaction`);
        for (const ref of references(entry.resource)) {
          if (!fullUrls.has(ref) && !external.has(ref)) problems.push(`${type} -> ${ref}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every Type/id reference in id-assigned records', () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { patient, resources } of generatePatientRecords(options({ patients: 100 }))) {
      const all: FhirResource[] = [patient, ...resources];
      const local = new Set(all.map((r) => `${r.resourceType}/${r.id}`));
      for (const r of all) {
        const key = `${r.resourceType}/${r.id}`;
        if (seen.has(key)) problems.push(`duplicate id ${key}`);
        seen.add(key);
        for (const ref of references(r)) if (!local.has(ref) && !external.has(ref)) problems.push(`${key} -> ${ref}`);
      }
      expect(resources.every((r) => 'subject' in r || 'patient' in r)).toBe(true);
    }
    expect(problems).toEqual([]);
  });

  it('links lab results to their report and everything to the patient', () => {
    for (const bundle of bundles.slice(0, 50)) {
      const patientUrl = bundle.entry?.[0]?.fullUrl;
      expect(bundle.entry?.[0]?.resource?.resourceType).toBe('Patient');
      const reportResults = new Set<string>();
      const labs: string[] = [];
      for (const entry of bundle.entry?.slice(1) ?? []) {
        const r = entry.resource as FhirResource & { subject?: { reference?: string }; patient?: { reference?: string } };
        expect((r.subject ?? r.patient)?.reference).toBe(patientUrl);
        if (r.resourceType === 'DiagnosticReport') r.result?.forEach((x) => reportResults.add(x.reference ?? ''));
        if (r.resourceType === 'Observation' && r.category?.[0]?.coding?.[0]?.code === 'laboratory') labs.push(entry.fullUrl ?? '');
      }
      for (const lab of labs) expect(reportResults.has(lab)).toBe(true);
    }
  });
});

describe('dates', () => {
  it.each([NOW, '2025-01-01T00:00:00Z'])('never dates an event before birth or after now (%s)', (now) => {
    const nowMs = Date.parse(now);
    const problems: string[] = [];
    let checked = 0;
    const population = now === NOW ? bundles : [...generatePopulation(options({ patients: 300, now }))];
    for (const bundle of population) {
      const patient = bundle.entry?.[0]?.resource as Patient;
      const birthDate = patient.birthDate ?? '';
      for (const entry of bundle.entry?.slice(1) ?? []) {
        walk(entry.resource, (key, value) => {
          if (!DATED.has(key) || typeof value !== 'string') return;
          checked++;
          const where = `${entry.resource?.resourceType}.${key} ${value}`;
          if (value.slice(0, 10) < birthDate) problems.push(`${where} before birth ${birthDate}`);
          if (!(Date.parse(value) <= nowMs)) problems.push(`${where} after now`);
        });
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });

  it('keeps each period and lab report in order', () => {
    for (const bundle of bundles) {
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource;
        if (r?.resourceType === 'Encounter') expect((r.period?.start ?? '') <= (r.period?.end ?? '')).toBe(true);
        if (r?.resourceType === 'DiagnosticReport') expect((r.effectiveDateTime ?? '') <= (r.issued ?? '')).toBe(true);
        if (r?.resourceType === 'Condition' && r.abatementDateTime) {
          expect((r.onsetDateTime ?? '') < r.abatementDateTime).toBe(true);
        }
      }
    }
  });
});
