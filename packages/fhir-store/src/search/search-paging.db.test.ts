/**
 * Sorting, keyset paging under concurrent writes, totals and includes.
 * See https://hl7.org/fhir/R4/search.html#sort, #count, #total, #include and http.html#paging
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { OutcomeError } from '@kennebec/fhir';
import type { SearchResult } from './execute.ts';
import { createSearchFixture, type SearchFixture } from './test-fixture.ts';

let f: SearchFixture;
const ids = (r: SearchResult): string[] => r.matches.map((m) => m.id);
const keys = (r: SearchResult): string[] => r.included.map((m) => `${m.resourceType}/${m.id}`).sort();

const person = (id: string, family: string | undefined, birthDate: string | undefined, extra: Partial<Patient> = {}): Patient & { id: string } => ({
  resourceType: 'Patient',
  id,
  ...(family ? { name: [{ family }] } : {}),
  ...(birthDate ? { birthDate } : {}),
  ...extra,
});

beforeAll(async () => {
  f = await createSearchFixture();
  await f.put(
    person('s1', 'baker', '1970-01-01', { meta: { tag: [{ code: 'sort' }] } }),
    person('s2', 'adams', '1980', { meta: { tag: [{ code: 'sort' }] } }),
    person('s3', 'clark', '1970-01-01', { meta: { tag: [{ code: 'sort' }] } }),
    person('s4', undefined, '1990-06', { meta: { tag: [{ code: 'sort' }] } }),
    person('s5', 'baker', undefined, { meta: { tag: [{ code: 'sort' }] } }),
    person('s0', 'zeta', '1960', { meta: { tag: [{ code: 'sort' }] }, name: [{ family: 'zeta' }, { family: 'aaron' }] }),
  );
});
afterAll(async () => {
  await f.db.close();
});

describe('_sort', () => {
  it.each([
    ['', ['s0', 's1', 's2', 's3', 's4', 's5']],
    ['_sort=_id', ['s0', 's1', 's2', 's3', 's4', 's5']],
    ['_sort=-_id', ['s5', 's4', 's3', 's2', 's1', 's0']],
    // A resource with several values sorts by its least (ascending) or greatest (descending).
    ['_sort=family', ['s0', 's2', 's1', 's5', 's3', 's4']],
    ['_sort=-family', ['s0', 's3', 's1', 's5', 's2', 's4']],
    ['_sort=birthdate', ['s0', 's1', 's3', 's2', 's4', 's5']],
    ['_sort=-birthdate', ['s4', 's2', 's1', 's3', 's0', 's5']],
    ['_sort=family,-birthdate', ['s0', 's2', 's1', 's5', 's3', 's4']],
    ['_sort=-family,birthdate', ['s0', 's3', 's1', 's5', 's2', 's4']],
    ['_sort=birthdate,-_id', ['s0', 's3', 's1', 's2', 's4', 's5']],
    ['_sort=_lastUpdated', ['s1', 's2', 's3', 's4', 's5', 's0']],
    ['_sort=-_lastUpdated', ['s0', 's5', 's4', 's3', 's2', 's1']],
  ])('Patient?%s', async (sort, expected) => {
    const all = await f.search('Patient', `_tag=sort&${sort}`);
    expect(ids(all)).toEqual(expected);
    // Paging one by one walks the same order, ties and missing values included.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page: SearchResult = await f.search('Patient', `_tag=sort&${sort}&_count=1${cursor ? `&_cursor=${cursor}` : ''}`);
      paged.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor && paged.length < 20);
    expect(paged).toEqual(expected);
  });
});

describe('keyset paging while others write', () => {
  const sorts = ['', '_sort=-birthdate', '_sort=family', '_sort=-_lastUpdated'];

  it.each(sorts)('neither skips nor repeats with inserts and deletes between pages (%s)', async (sort) => {
    const tag = `page${sorts.indexOf(sort)}`;
    const people = Array.from({ length: 25 }, (_, i) => {
      const n = String(i).padStart(2, '0');
      return person(`${tag}-${n}`, `fam${String((i * 7) % 25).padStart(2, '0')}`, `19${50 + ((i * 3) % 40)}-01-01`, { meta: { tag: [{ code: tag }] } });
    });
    await f.put(...people);
    const query = `_tag=${tag}&_count=10${sort ? `&${sort}` : ''}`;
    const first = await f.search('Patient', query);
    expect(first.matches).toHaveLength(10);
    const seen = new Set(ids(first));
    const unseen = people.map((p) => p.id).filter((id) => !seen.has(id));
    // Between pages: delete one seen and one unseen resource, insert a new one.
    await f.remove('Patient', ids(first)[3] as string);
    const deletedUnseen = unseen[5] as string;
    await f.remove('Patient', deletedUnseen);
    await f.put(person(`${tag}-new`, 'fam99', '1999-01-01', { meta: { tag: [{ code: tag }] } }));

    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page: SearchResult = await f.search('Patient', `${query}&_cursor=${cursor}`);
      rest.push(...ids(page));
      cursor = page.nextCursor;
    }
    const all = [...ids(first), ...rest];
    expect(new Set(all).size).toBe(all.length);
    // Every resource that existed throughout appears exactly once.
    for (const id of unseen.filter((u) => u !== deletedUnseen)) expect(rest).toContain(id);
    expect(rest).not.toContain(deletedUnseen);
    // In id order the new resource sorts after the cursor, so it is found.
    if (sort === '') expect(rest).toContain(`${tag}-new`);
  });

  it('rejects a cursor made for another sort, and garbage', async () => {
    const page = await f.search('Patient', '_tag=sort&_count=2&_sort=family');
    await expect(f.search('Patient', `_tag=sort&_count=2&_sort=birthdate&_cursor=${page.nextCursor}`)).rejects.toSatisfy(
      (e) => e instanceof OutcomeError && e.status === 400,
    );
    await expect(f.search('Patient', '_tag=sort&_cursor=not-a-cursor')).rejects.toSatisfy((e) => e instanceof OutcomeError && e.status === 400);
  });
});

describe('_total, _summary=count and _count', () => {
  it('counts exactly on request, and gives the total for free when one page holds everything', async () => {
    expect((await f.search('Patient', '_tag=sort&_count=2&_total=accurate')).total).toBe(6);
    expect((await f.search('Patient', '_tag=sort&_count=2&_total=estimate')).total).toBe(6);
    expect((await f.search('Patient', '_tag=sort&_count=2')).total).toBeUndefined();
    expect((await f.search('Patient', '_tag=sort')).total).toBe(6);
    expect((await f.search('Patient', '_tag=sort&_total=none')).total).toBeUndefined();
  });

  it('_summary=count and _count=0 return only the total', async () => {
    expect(await f.search('Patient', '_tag=sort&_summary=count')).toEqual({ matches: [], included: [], total: 6 });
    expect(await f.search('Patient', '_tag=sort&_count=0')).toEqual({ matches: [], included: [], total: 6 });
    expect(await f.search('Patient', 'name=nobody&_summary=count')).toEqual({ matches: [], included: [], total: 0 });
  });

  it('pages by _count with a next cursor only while more remain', async () => {
    const p1 = await f.search('Patient', '_tag=sort&_count=4');
    expect(ids(p1)).toEqual(['s0', 's1', 's2', 's3']);
    const p2 = await f.search('Patient', `_tag=sort&_count=4&_cursor=${p1.nextCursor}`);
    expect(ids(p2)).toEqual(['s4', 's5']);
    expect(p2.nextCursor).toBeUndefined();
    expect(p2.total).toBeUndefined();
  });
});

describe('_include and _revinclude', () => {
  beforeAll(async () => {
    await f.put(
      { resourceType: 'Organization', id: 'org1', name: 'Acme' },
      { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'House' }] },
      { resourceType: 'PractitionerRole', id: 'role1', practitioner: { reference: 'Practitioner/pr1' }, organization: { reference: 'Organization/org1' } },
      person('i1', 'incl', '1970', { generalPractitioner: [{ reference: 'PractitionerRole/role1' }], managingOrganization: { reference: 'Organization/org1' } }),
      person('i2', 'incl', '1971', { managingOrganization: { reference: 'Organization/gone-org' } }),
      { resourceType: 'Organization', id: 'gone-org', name: 'Gone' },
      { resourceType: 'Observation', id: 'io1', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/i1' }, performer: [{ reference: 'Practitioner/pr1' }] },
      { resourceType: 'Observation', id: 'io2', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient/i1' }, performer: [{ reference: 'Organization/org1' }] },
      { resourceType: 'Observation', id: 'io3', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient/i2' } },
      { resourceType: 'Observation', id: 'io4', status: 'final', code: { text: 'd' }, hasMember: [{ reference: 'Observation/io1' }] },
      { resourceType: 'Provenance', id: 'prov1', recorded: '2026-01-01T00:00:00Z', agent: [{ who: { reference: 'Practitioner/pr1' } }], target: [{ reference: 'Observation/io1' }] },
    );
    await f.remove('Organization', 'gone-org');
  });

  it('includes the referenced resources once, never deleted ones', async () => {
    const r = await f.search('Observation', '_id=io1,io2,io3&_include=Observation:patient');
    expect(ids(r)).toEqual(['io1', 'io2', 'io3']);
    expect(keys(r)).toEqual(['Patient/i1', 'Patient/i2']);
    expect(keys(await f.search('Patient', 'family=incl&_include=Patient:organization'))).toEqual(['Organization/org1']);
  });

  it('honors the target type and the * wildcard', async () => {
    expect(keys(await f.search('Observation', '_id=io1,io2&_include=Observation:performer:Practitioner'))).toEqual(['Practitioner/pr1']);
    expect(keys(await f.search('Observation', '_id=io1,io2&_include=Observation:performer'))).toEqual(['Organization/org1', 'Practitioner/pr1']);
    expect(keys(await f.search('Observation', '_id=io1&_include=Observation:*'))).toEqual(['Patient/i1', 'Practitioner/pr1']);
  });

  it('revincludes the resources that refer to the matches', async () => {
    expect(keys(await f.search('Patient', '_id=i1&_revinclude=Observation:subject'))).toEqual(['Observation/io1', 'Observation/io2']);
    expect(keys(await f.search('Observation', '_id=io1&_revinclude=Provenance:target'))).toEqual(['Provenance/prov1']);
    expect(keys(await f.search('Practitioner', '_id=pr1&_revinclude=*'))).toEqual(['Observation/io1', 'PractitionerRole/role1', 'Provenance/prov1']);
  });

  it('does not repeat a match among the included resources', async () => {
    const r = await f.search('Patient', '_id=i1,i2&_revinclude=Observation:subject&_include=Patient:link');
    expect(keys(r)).toEqual(['Observation/io1', 'Observation/io2', 'Observation/io3']);
    const self = await f.search('Observation', '_id=io1,io4&_include=Observation:has-member&_revinclude=Observation:has-member');
    expect(ids(self)).toEqual(['io1', 'io4']);
    expect(self.included).toEqual([]);
  });

  it(':iterate follows the included resources one level further', async () => {
    const once = await f.search('Observation', '_id=io1&_include=Observation:patient');
    expect(keys(once)).toEqual(['Patient/i1']);
    const iterated = await f.search(
      'Observation',
      '_id=io1&_include=Observation:patient&_include:iterate=Patient:general-practitioner&_include:iterate=PractitionerRole:organization',
    );
    expect(keys(iterated)).toEqual(['Patient/i1', 'PractitionerRole/role1']);
    const rev = await f.search('Patient', '_id=i1&_revinclude=Observation:subject&_revinclude:iterate=Provenance:target');
    expect(keys(rev)).toEqual(['Observation/io1', 'Observation/io2', 'Provenance/prov1']);
  });
});
