import { describe, expect, it } from 'vitest';
import { OutcomeError } from '../outcome.ts';
import { nextPageParams, parseSearchRequest, type ParseOptions } from './parse.ts';
import { getSearchRegistry } from './registry.ts';
import type { SearchFilter, SearchRequest } from './request.ts';

const registry = getSearchRegistry();
const BASE = 'https://kennebec.test/fhir/R4';

function parse(type: string, query: string, options: ParseOptions = {}): SearchRequest {
  return parseSearchRequest(type, [...new URLSearchParams(query).entries()], registry, { baseUrl: BASE, ...options });
}

function filter(type: string, query: string): SearchFilter {
  const req = parse(type, query);
  expect(req.filters).toHaveLength(1);
  return req.filters[0] as SearchFilter;
}

function failure(fn: () => unknown): OutcomeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OutcomeError) return e;
    throw e;
  }
  throw new Error('expected an OutcomeError');
}

describe('parseSearchRequest: defaults and result parameters', () => {
  it('defaults to 20 per page, no sort, nothing included', () => {
    expect(parse('Patient', '')).toEqual({ resourceType: 'Patient', filters: [], sort: [], count: 20, include: [], revinclude: [], warnings: [] });
  });

  it('caps _count at 1000 and accepts 0', () => {
    expect(parse('Patient', '_count=5000').count).toBe(1000);
    expect(parse('Patient', '_count=0').count).toBe(0);
    expect(parse('Patient', '_count=7').count).toBe(7);
    expect(failure(() => parse('Patient', '_count=-1')).status).toBe(400);
    expect(failure(() => parse('Patient', '_count=ten')).outcome.issue[0]?.expression).toEqual(['_count']);
  });

  it('reads _sort lists with descending keys', () => {
    expect(parse('Observation', '_sort=-date,_id,status,-_lastUpdated').sort).toEqual([
      { kind: 'param', code: 'date', paramType: 'date', desc: true },
      { kind: 'id', desc: false },
      { kind: 'param', code: 'status', paramType: 'token', desc: false },
      { kind: 'lastUpdated', desc: true },
    ]);
    expect(failure(() => parse('Observation', '_sort=subject')).status).toBe(400);
    expect(failure(() => parse('Observation', '_sort=nope')).outcome.issue[0]?.code).toBe('not-supported');
  });

  it('reads _summary, _total, _elements and _cursor, and ignores _format', () => {
    const req = parse('Patient', '_summary=count&_total=accurate&_elements=name,gender&_cursor=abc&_format=json&_pretty=true');
    expect(req).toMatchObject({ summary: 'count', total: 'accurate', elements: ['name', 'gender'], cursor: 'abc', filters: [] });
    expect(failure(() => parse('Patient', '_summary=maybe')).status).toBe(400);
    expect(failure(() => parse('Patient', '_total=some')).status).toBe(400);
  });

  it('reads _include and _revinclude, with target types, wildcards and :iterate', () => {
    const req = parse(
      'MedicationRequest',
      '_include=MedicationRequest:patient&_include=MedicationRequest:requester:Practitioner&_include:iterate=PractitionerRole:organization&_revinclude=Provenance:target&_revinclude=*&_include=MedicationRequest:*',
    );
    expect(req.include).toEqual([
      { sourceType: 'MedicationRequest', param: 'patient', iterate: false },
      { sourceType: 'MedicationRequest', param: 'requester', targetType: 'Practitioner', iterate: false },
      { sourceType: 'PractitionerRole', param: 'organization', iterate: true },
      { sourceType: 'MedicationRequest', param: '*', iterate: false },
    ]);
    expect(req.revinclude).toEqual([
      { sourceType: 'Provenance', param: 'target', iterate: false },
      { sourceType: '*', param: '*', iterate: false },
    ]);
  });

  it('rejects malformed includes', () => {
    expect(failure(() => parse('Observation', '_include=Patient:organization')).status).toBe(400);
    expect(failure(() => parse('Observation', '_include=Observation')).status).toBe(400);
    expect(failure(() => parse('Observation', '_include=Observation:code')).status).toBe(400);
    expect(failure(() => parse('Observation', '_include=Nope:subject')).status).toBe(400);
  });

  it('builds next-page parameters by replacing the cursor', () => {
    expect(nextPageParams([['name', 'x'], ['_cursor', 'old']], 'new')).toEqual([['name', 'x'], ['_cursor', 'new']]);
  });
});

describe('parseSearchRequest: unknown and unsupported parameters', () => {
  it('fails with KB-SEARCH-PARAM for an unknown parameter', () => {
    const e = failure(() => parse('Patient', 'nickname=x'));
    expect(e.status).toBe(400);
    expect(e.outcome.issue[0]).toMatchObject({ code: 'not-supported', diagnostics: "Unknown search parameter 'nickname' for Patient" });
  });

  it('ignores unknown parameters and modifiers with a warning under lenient handling', () => {
    const req = parse('Patient', 'nickname=x&name:phonetic=y&family=smith&_has:Observation:patient:code=1', { lenient: true });
    expect(req.filters).toEqual([{ kind: 'string', code: 'family', mode: 'prefix', values: ['smith'] }]);
    expect(req.warnings.map((w) => w.expression)).toEqual([['nickname'], ['name:phonetic'], ['_has:Observation:patient:code']]);
    expect(req.warnings.every((w) => w.severity === 'warning')).toBe(true);
  });

  it('fails on malformed values even under lenient handling', () => {
    const e = failure(() => parse('Patient', 'birthdate=yesterday', { lenient: true }));
    expect(e.outcome.issue[0]).toMatchObject({ code: 'invalid', expression: ['birthdate'] });
  });

  it('rejects unsupported parameters (_text, near) and modifiers (:below on token)', () => {
    expect(failure(() => parse('Patient', '_text=x')).status).toBe(400);
    expect(failure(() => parse('Location', 'near=1|2|3')).status).toBe(400);
    expect(failure(() => parse('Observation', 'code:below=x')).outcome.issue[0]?.diagnostics).toContain(':below');
  });

  it('rejects an unknown resource type with 404', () => expect(failure(() => parse('Patients', '')).status).toBe(404));

  it('ignores empty values', () => expect(parse('Patient', 'name=&family=').filters).toEqual([]));
});

describe('parseSearchRequest: parameter types', () => {
  it('string: normalized prefix by default, :exact keeps the text, :contains', () => {
    expect(filter('Patient', 'name=%C3%89lodie%20%20Ann')).toEqual({ kind: 'string', code: 'name', mode: 'prefix', values: ['elodie ann'] });
    expect(filter('Patient', 'family:exact=Müller')).toEqual({ kind: 'string', code: 'family', mode: 'exact', values: ['Müller'] });
    expect(filter('Patient', 'family:contains=ULL')).toEqual({ kind: 'string', code: 'family', mode: 'contains', values: ['ull'] });
  });

  it('comma is OR, escaped comma is a comma, repeated parameter is AND', () => {
    expect(filter('Patient', 'family=a,b\\,c')).toMatchObject({ values: ['a', 'b,c'] });
    expect(parse('Patient', 'family=a&family=b').filters).toHaveLength(2);
  });

  it('token: code, system|code, |code, system|, :not, :text', () => {
    expect(filter('Observation', 'code=1234-5,http://loinc.org|8867-4,|abc,http://snomed.info/sct|')).toEqual({
      kind: 'token',
      code: 'code',
      not: false,
      values: [{ code: '1234-5' }, { system: 'http://loinc.org', code: '8867-4' }, { system: null, code: 'abc' }, { system: 'http://snomed.info/sct' }],
    });
    expect(filter('Observation', 'status:not=final')).toMatchObject({ kind: 'token', not: true, values: [{ code: 'final' }] });
    expect(filter('Observation', 'code:text=Blood%20Pressure')).toEqual({ kind: 'tokenText', code: 'code', values: ['blood pressure'] });
    expect(filter('Observation', 'identifier=urn:sys\\|x|a\\,b')).toMatchObject({ values: [{ system: 'urn:sys|x', code: 'a,b' }] });
    expect(failure(() => parse('Observation', 'code=a|b|c')).status).toBe(400);
    expect(failure(() => parse('Observation', 'code=|')).status).toBe(400);
  });

  it(':missing on any type', () => {
    expect(filter('Patient', 'birthdate:missing=true')).toEqual({ kind: 'missing', code: 'birthdate', paramType: 'date', missing: true });
    expect(filter('Observation', 'subject:missing=false')).toEqual({ kind: 'missing', code: 'subject', paramType: 'reference', missing: false });
    expect(failure(() => parse('Patient', 'gender:missing=yes')).status).toBe(400);
  });

  it('reference: Type/id, id with one target, :Type, absolute URLs on this server and elsewhere', () => {
    expect(filter('Observation', 'subject=Patient/123')).toEqual({ kind: 'reference', code: 'subject', values: [{ type: 'Patient', id: '123' }] });
    expect(filter('Observation', 'patient=123')).toMatchObject({ values: [{ type: 'Patient', id: '123' }] });
    expect(filter('Observation', 'subject=123')).toMatchObject({ values: [{ id: '123' }] });
    expect(filter('Observation', 'subject:Group=123')).toMatchObject({ values: [{ type: 'Group', id: '123' }] });
    expect(filter('Observation', `subject=${BASE}/Patient/9/_history/2`)).toMatchObject({ values: [{ type: 'Patient', id: '9' }] });
    expect(filter('Observation', 'subject=https://elsewhere.example/fhir/Patient/9')).toMatchObject({
      values: [{ url: 'https://elsewhere.example/fhir/Patient/9' }],
    });
    expect(failure(() => parse('Observation', 'subject:Group=Patient/1')).status).toBe(400);
    expect(failure(() => parse('Observation', 'subject:Nope=1')).status).toBe(400);
  });

  it('chains one level into every target type that defines the parameter', () => {
    const chain = filter('Observation', 'subject.name=peter');
    expect(chain.kind).toBe('chain');
    if (chain.kind !== 'chain') return;
    // Device and Group have no 'name' parameter in R4.
    expect(chain.targets.map((t) => t.type).sort()).toEqual(['Location', 'Patient']);
    expect(filter('Observation', 'subject:Patient.name:exact=Peter')).toEqual({
      kind: 'chain',
      code: 'subject',
      targets: [{ type: 'Patient', filter: { kind: 'string', code: 'name', mode: 'exact', values: ['Peter'] } }],
    });
    expect(filter('Observation', 'patient.birthdate=ge1980')).toMatchObject({ kind: 'chain', targets: [{ type: 'Patient', filter: { kind: 'date' } }] });
    expect(failure(() => parse('Observation', 'patient.organization.name=x')).status).toBe(400);
    expect(failure(() => parse('Observation', 'code.name=x')).status).toBe(400);
    expect(failure(() => parse('Observation', 'patient.nope=x')).outcome.issue[0]?.code).toBe('not-supported');
  });

  it.each([
    ['eq', '2013-01-14', 'eq'],
    ['ne', 'ne2013-01-14', 'ne'],
    ['gt', 'gt2013-01-14', 'gt'],
    ['lt', 'lt2013-01-14', 'lt'],
    ['ge', 'ge2013-01-14', 'ge'],
    ['le', 'le2013-01-14', 'le'],
    ['sa', 'sa2013-01-14', 'sa'],
    ['eb', 'eb2013-01-14', 'eb'],
    ['ap', 'ap2013-01-14', 'ap'],
  ])('date prefix %s', (_name, value, prefix) => {
    expect(filter('Observation', `date=${value}`)).toEqual({
      kind: 'date',
      code: 'date',
      values: [{ prefix, low: '2013-01-14T00:00:00.000Z', high: '2013-01-14T23:59:59.999Z' }],
    });
  });

  it('date: a time-zone + decoded as a space is repaired; bad dates fail', () => {
    expect(filter('Observation', 'date=ge2013-01-14T10:00:00+02:00')).toMatchObject({ values: [{ prefix: 'ge', low: '2013-01-14T08:00:00.000Z' }] });
    expect(failure(() => parse('Observation', 'date=gt2013-02-30')).outcome.issue[0]?.expression).toEqual(['date']);
  });

  it('_lastUpdated and _id read the resource columns', () => {
    expect(filter('Patient', '_lastUpdated=gt2026-01')).toMatchObject({ kind: 'lastUpdated', values: [{ prefix: 'gt', low: '2026-01-01T00:00:00.000Z' }] });
    expect(filter('Patient', '_id=a,b')).toEqual({ kind: 'id', code: '_id', not: false, values: ['a', 'b'] });
    expect(filter('Patient', '_id:not=a')).toMatchObject({ kind: 'id', not: true });
    expect(failure(() => parse('Patient', '_id:missing=true')).status).toBe(400);
  });

  it.each(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'])('number prefix %s with precision range', (prefix) => {
    expect(filter('RiskAssessment', `probability=${prefix}0.80`)).toEqual({
      kind: 'number',
      code: 'probability',
      values: [{ prefix, value: '0.8', low: '0.795', high: '0.805' }],
    });
  });

  it('quantity: value|system|code, value||unit, value, with prefixes', () => {
    expect(filter('Observation', 'value-quantity=lt5.4|http://unitsofmeasure.org|mg,5.40||mg,100')).toEqual({
      kind: 'quantity',
      code: 'value-quantity',
      values: [
        { prefix: 'lt', value: '5.4', low: '5.35', high: '5.45', system: 'http://unitsofmeasure.org', code: 'mg' },
        { prefix: 'eq', value: '5.4', low: '5.395', high: '5.405', code: 'mg' },
        { prefix: 'eq', value: '100', low: '99.5', high: '100.5' },
      ],
    });
    expect(failure(() => parse('Observation', 'value-quantity=5|mg')).status).toBe(400);
    expect(failure(() => parse('Observation', 'value-quantity=ab||mg')).status).toBe(400);
  });

  it('uri: exact, :below, :above', () => {
    expect(filter('ValueSet', 'url=http://a.org/vs')).toEqual({ kind: 'uri', code: 'url', mode: 'exact', values: ['http://a.org/vs'] });
    expect(filter('ValueSet', 'url:below=http://a.org/')).toMatchObject({ mode: 'below' });
    expect(filter('ValueSet', 'url:above=http://a.org/vs/x')).toMatchObject({ mode: 'above' });
  });

  it('composite: token$value keys and typed second components', () => {
    expect(filter('Observation', 'code-value-quantity=http://loinc.org|8480-6$lt60,8462-4$gt5||mm[Hg]')).toEqual({
      kind: 'composite',
      code: 'code-value-quantity',
      componentType: 'quantity',
      values: [
        { key: 'code-value-quantity$http://loinc.org|8480-6', component: { type: 'quantity', value: { prefix: 'lt', value: '60', low: '59.5', high: '60.5' } } },
        { key: 'code-value-quantity$8462-4', component: { type: 'quantity', value: { prefix: 'gt', value: '5', low: '4.5', high: '5.5', code: 'mm[Hg]' } } },
      ],
    });
    expect(filter('Observation', 'code-value-concept=1$http://snomed.info/sct|2')).toMatchObject({
      componentType: 'token',
      values: [{ key: 'code-value-concept$1', component: { type: 'token', value: { system: 'http://snomed.info/sct', code: '2' } } }],
    });
    expect(failure(() => parse('Observation', 'code-value-quantity=8480-6')).status).toBe(400);
    expect(failure(() => parse('Observation', 'code-value-quantity=http://loinc.org|$5')).status).toBe(400);
  });
});
