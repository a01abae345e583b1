import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_THRESHOLDS } from './decide.ts';
import { NameFrequencies } from './frequency.ts';
import { normalize, type Demographics } from './normalize.ts';
import { scorePair } from './score.ts';

const base: Demographics = {
  given: ['William', 'Henry'],
  family: 'Pelletier',
  birthDate: '1961-04-09',
  sex: 'male',
  address: { line: ['14 Maple Street'], city: 'Augusta', state: 'ME', postalCode: '04330' },
  phone: '(207) 555-0134',
  ssn: '912-44-5678',
};

function outcome(a: Demographics, b: Demographics) {
  const s = scorePair(normalize(a), normalize(b));
  return { ...s, decision: decide(s) };
}

const variant = (patch: Partial<Demographics>): Demographics => ({ ...structuredClone(base), ...patch });

describe('true matches link', () => {
  const cases: [string, Partial<Demographics>][] = [
    ['identical', {}],
    ['typo in family name', { family: 'Pelleteir' }],
    ['nickname', { given: ['Bill'] }],
    ['day/month swap', { birthDate: '1961-09-04' }],
    ['hyphenated family name', { family: 'Pelletier-Roy' }],
    ['swapped given/family', { given: ['Pelletier'], family: 'William' }],
    ['moved, no SSN', { address: { line: ['2 Oak Rd'], city: 'Bangor', postalCode: '04401' }, ssn: undefined }],
  ];
  for (const [name, patch] of cases) {
    it(name, () => {
      const o = outcome(base, variant(patch));
      expect(o.rules).toEqual([]);
      expect(o.decision).toBe('link');
    });
  }

  it('a changed family name (marriage) links when the earlier name is known', () => {
    const bride: Demographics = { ...variant({ sex: 'female', given: ['Marie'] }) };
    const married = { ...bride, family: 'Dube', otherFamilies: ['Pelletier'], ssn: undefined };
    expect(outcome(bride, married).decision).toBe('link');
  });
});

describe('hard negatives stay apart', () => {
  it('twins: same birth date, family and household, different first names', () => {
    const o = outcome(base, variant({ given: ['Robert'], ssn: undefined }));
    expect(o.rules).toContain('twins');
    expect(o.decision).not.toBe('link');
  });

  it('twins both registered under a parent\'s SSN: review, never link, whatever the score', () => {
    const twin = variant({ given: ['Robert'] });
    const o = outcome(base, twin);
    expect(o.rules).toEqual(['twins-shared-ssn']);
    expect(o.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.upper);
    expect(o.decision).toBe('review');
    expect(outcome(variant({ given: ['Donald'] }), variant({ given: ['Ronald'] })).decision).toBe('review');
    // A first-name typo that keeps the first letter, or a nickname, is still the same person.
    expect(outcome(base, variant({ given: ['Willaim', 'Henry'] })).decision).toBe('link');
    expect(outcome(base, variant({ given: ['Bill'] })).decision).toBe('link');
  });

  it('twins with rhyming names or the other twin\'s middle name', () => {
    expect(outcome(base, variant({ given: ['Henry'], ssn: undefined })).decision).not.toBe('link');
    expect(outcome(variant({ given: ['Donald'] }), variant({ given: ['Ronald'], ssn: '912-77-1111' })).decision).not.toBe('link');
  });

  it('Jr and Sr', () => {
    const o = outcome(variant({ suffix: 'Sr' }), variant({ suffix: 'Jr', birthDate: '1988-07-02', ssn: undefined }));
    expect(o.rules).toEqual(expect.arrayContaining(['suffix-mismatch', 'parent-child']));
    expect(o.decision).not.toBe('link');
  });

  it('parent and child with the same first and family name and no suffix, even under the parent\'s SSN', () => {
    expect(outcome(base, variant({ birthDate: '1989-04-19', ssn: undefined })).decision).not.toBe('link');
    const o = outcome(base, variant({ birthDate: '1989-04-19', given: ['William', 'Paul'] }));
    expect(o.rules).toContain('parent-child');
    expect(o.decision).not.toBe('link');
  });

  it('different SSNs', () => {
    const o = outcome(base, variant({ ssn: '987-65-4320', address: { line: ['9 Pine Rd'], postalCode: '04101' }, phone: undefined }));
    expect(o.rules).toContain('ssn-mismatch');
    expect(o.decision).not.toBe('link');
  });

  it('one SSN transposition is forgiven', () => {
    expect(outcome(base, variant({ ssn: '912-44-5687' })).decision).toBe('link');
  });

  it('a child registered under the parent\'s SSN', () => {
    const o = outcome(base, variant({ given: ['Emma'], sex: 'female', birthDate: '1995-02-11' }));
    expect(o.rules).toContain('relatives-shared-ssn');
    expect(o.decision).not.toBe('link');
  });

  it('different sex with everything else agreeing goes to review', () => {
    const o = outcome(base, variant({ sex: 'female' }));
    expect(o.rules).toContain('sex-mismatch');
    expect(o.decision).toBe('review');
  });
});

describe('evidence', () => {
  it('has one entry per field with level and weight summing to the score; values only on request', () => {
    const o = outcome(base, variant({ given: ['Bill'] }));
    expect(o.evidence.map((e) => e.field)).toEqual(['given', 'family', 'birthDate', 'sex', 'street', 'locality', 'phone', 'ssn', 'suffix']);
    expect(o.evidence.find((e) => e.field === 'given')).toMatchObject({ level: 'close', detail: 'nickname' });
    expect(o.evidence.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(o.score);
    expect(o.evidence.some((e) => e.values !== undefined)).toBe(false);
    const withValues = scorePair(normalize(base), normalize(base), { withValues: true });
    expect(withValues.evidence.find((e) => e.field === 'ssn')?.values).toEqual(['912445678', '912445678']);
  });

  it('thresholds order the decisions', () => {
    expect(decide({ score: DEFAULT_THRESHOLDS.upper, rules: [] })).toBe('link');
    expect(decide({ score: DEFAULT_THRESHOLDS.upper + 10, rules: ['twins'] })).toBe('review');
    expect(decide({ score: DEFAULT_THRESHOLDS.lower - 0.5, rules: [] })).toBe('new');
    expect(decide({ score: DEFAULT_THRESHOLDS.lower - 0.5, rules: ['parent-child'] })).toBe('new');
    expect(decide({ score: DEFAULT_THRESHOLDS.lower - 5, rules: ['namesake-shared-ssn'] })).toBe('review');
  });
});

describe('a wholly different SSN is weighed, not vetoed, when nothing else differs', () => {
  const replacedSsn = { ssn: '955-26-1212' };

  it('same name, birth date and home: the score decides, and here it links', () => {
    const o = outcome(base, variant(replacedSsn));
    expect(o.rules).toEqual([]);
    expect(o.evidence.find((e) => e.field === 'ssn')).toMatchObject({ level: 'disagree', weight: -5 });
    expect(o.decision).toBe('link');
  });

  it('a first-name typo or a birth-date typo still counts as the same name and date', () => {
    expect(outcome(base, variant({ ...replacedSsn, given: ['Willaim', 'Henry'] })).rules).toEqual([]);
    expect(outcome(base, variant({ ...replacedSsn, birthDate: '1961-04-19' })).rules).toEqual([]);
  });

  it('twins keep the veto: another first name, whatever else agrees', () => {
    const o = outcome(base, variant({ ...replacedSsn, given: ['Walter'] }));
    expect(o.rules).toEqual(expect.arrayContaining(['ssn-mismatch', 'twins']));
    expect(o.decision).not.toBe('link');
  });

  it('a nickname, another middle name, a missing birth date or another home keeps the veto', () => {
    for (const patch of [
      { given: ['Bill', 'Henry'] },
      { given: ['William', 'Robert'] },
      { birthDate: undefined },
      { address: { line: ['9 Pine Rd'], city: 'Bangor', postalCode: '04401' }, phone: undefined },
    ] satisfies Partial<Demographics>[]) {
      const o = outcome(base, variant({ ...replacedSsn, ...patch }));
      expect(o.rules, JSON.stringify(patch)).toContain('ssn-mismatch');
      expect(o.decision).not.toBe('link');
    }
  });

  it('a decade-jumping birth-date typo does not count as the same date', () => {
    expect(outcome(base, variant({ ...replacedSsn, birthDate: '1991-04-09' })).rules).toContain('ssn-mismatch');
  });
});

describe('a wholly different birth date: weighed when it cannot be a relative\'s, reviewed when it can', () => {
  it('a replaced birth date a few years off, with equal SSN, same name and home, may link', () => {
    // FEBRL-like: the date replaced by another one three years away.
    const o = outcome(base, variant({ birthDate: '1958-11-02' }));
    expect(o.rules).toEqual([]);
    expect(o.evidence.find((e) => e.field === 'birthDate')).toMatchObject({ level: 'disagree', weight: -8 });
    expect(o.decision).toBe('link');
  });

  it('a same-named father and son under one SSN, no suffix recorded, 28 years apart: review, never link', () => {
    const son = variant({ birthDate: '1989-08-23' });
    for (const [a, b] of [[base, son], [son, base]] as const) {
      const o = outcome(a, b);
      expect(o.rules).toEqual(['namesake-shared-ssn']);
      expect(o.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.upper);
      expect(o.decision).toBe('review');
    }
    // However much else agrees, and with rare names weighing more.
    const frequencies = new NameFrequencies();
    for (let i = 0; i < 2000; i++) frequencies.add(normalize({ given: [`G${i.toString(36)}x`], family: `F${i.toString(36)}x` }));
    expect(decide(scorePair(normalize(base), normalize(son), { frequencies }))).toBe('review');
  });

  it('goes to review even when common names and a shared street alone leave the score below the lower threshold', () => {
    // 50 Williams and 50 Pelletiers among 2,000 otherwise distinct names: the 3-bit penalty on each.
    const frequencies = new NameFrequencies();
    for (let i = 0; i < 2000; i++) frequencies.add(normalize({ given: [i < 50 ? 'William' : `G${i.toString(36)}x`], family: i < 50 ? 'Pelletier' : `F${i.toString(36)}x` }));
    const son = variant({ birthDate: '1989-08-23', address: { line: ['20 Maple Street'], city: 'Hallowell', state: 'ME', postalCode: '04347' }, phone: '(207) 555-0999' });
    const s = scorePair(normalize(base), normalize(son), { frequencies });
    expect(s.rules).toEqual(['namesake-shared-ssn']);
    expect(s.score).toBeLessThan(DEFAULT_THRESHOLDS.lower);
    expect(decide(s)).toBe('review');
  });

  it('the line is 12 calendar years: 11 apart is weighed, 12 apart is reviewed', () => {
    expect(outcome(base, variant({ birthDate: '1950-01-30' })).decision).toBe('link');
    const twelve = outcome(base, variant({ birthDate: '1949-12-30' }));
    expect(twelve.rules).toEqual(['namesake-shared-ssn']);
    expect(twelve.decision).toBe('review');
  });

  it('a typo that jumps decades (1961 → 1991, one digit) is reviewed too: a son born on his father\'s birthday looks the same', () => {
    const o = outcome(base, variant({ birthDate: '1991-04-09' }));
    expect(o.evidence.find((e) => e.field === 'birthDate')).toMatchObject({ level: 'close', detail: 'typo' });
    expect(o.rules).toEqual(['namesake-shared-ssn']);
    expect(o.decision).toBe('review');
  });

  const replacedDob = { birthDate: '1937-11-02' };

  it('a parent and a child with anything else differing keep the parent-child rule: a suffix on either record, a nickname, a middle name, no SSN, another home', () => {
    for (const [name, a, b] of [
      ['Jr on one record', base, variant({ ...replacedDob, suffix: 'Jr' })],
      ['Sr on the other', variant({ suffix: 'Sr' }), variant(replacedDob)],
      ['William and Liam under one SSN', base, variant({ ...replacedDob, given: ['Liam'] })],
      ['other middle name', base, variant({ ...replacedDob, given: ['William', 'James'] })],
      ['no SSN on one', base, variant({ ...replacedDob, ssn: undefined })],
      ['other home', base, variant({ ...replacedDob, address: { line: ['9 Pine Rd'], city: 'Bangor', postalCode: '04401' }, phone: undefined })],
      ['decade-jumping typo, other home', base, variant({ birthDate: '1991-04-09', address: { line: ['9 Pine Rd'], city: 'Bangor', postalCode: '04401' }, phone: undefined })],
    ] as const) {
      const o = outcome(a, b);
      expect(o.rules, name).toContain('parent-child');
      expect(o.rules, name).not.toContain('namesake-shared-ssn');
      expect(o.decision, name).not.toBe('link');
    }
  });

  it('a sex difference keeps the pair in review', () => {
    const o = outcome(base, variant({ ...replacedDob, sex: 'female' }));
    expect(o.rules).toEqual(expect.arrayContaining(['parent-child', 'sex-mismatch']));
  });

  it('a child under the parent\'s SSN whose birth date is one digit and a generation off stays apart', () => {
    const o = outcome(base, variant({ birthDate: '1991-04-09', given: ['Emma'], sex: 'female' }));
    expect(o.rules).toEqual(expect.arrayContaining(['parent-child', 'relatives-shared-ssn']));
  });

  it('a sibling born a few years apart with two birth-date digits in common and a look-alike name stays apart', () => {
    const o = outcome(variant({ given: ['Ann'], sex: 'female', ssn: undefined }), variant({ given: ['Nancy'], sex: 'female', birthDate: '1965-04-03', ssn: undefined }));
    expect(o.evidence.find((e) => e.field === 'birthDate')).toMatchObject({ level: 'partial' });
    expect(o.rules).toContain('birth-date-mismatch');
    expect(o.decision).not.toBe('link');
  });

  it('a child under the parent\'s SSN with another first name stays apart', () => {
    const o = outcome(base, variant({ ...replacedDob, birthDate: '1990-06-01', given: ['Emma'], sex: 'female' }));
    expect(o.rules).toEqual(expect.arrayContaining(['relatives-shared-ssn']));
    expect(o.decision).not.toBe('link');
  });
});

describe('swapped given and family names', () => {
  it('each keeps its own level: exact when both are exact, close when one is mistyped', () => {
    const exact = outcome(base, variant({ given: ['Pelletier'], family: 'William' }));
    expect(exact.evidence.slice(0, 2)).toMatchObject([{ field: 'given', level: 'exact', detail: 'swapped' }, { field: 'family', level: 'exact', detail: 'swapped' }]);
    const typo = outcome(base, variant({ given: ['Pelleteir'], family: 'William' }));
    // "given" compares one record's family name with the other's given name, and vice versa.
    expect(typo.evidence.slice(0, 2)).toMatchObject([{ level: 'close', detail: 'swapped' }, { level: 'exact', detail: 'swapped' }]);
  });

  it('a two-word given name typed joined into the family box is seen as swapped; a middle name alone is not', () => {
    const annaLouise = variant({ given: ['Anna', 'Louise'], sex: 'female' });
    const swapped = outcome(annaLouise, variant({ given: ['Pelletier'], family: 'Annalouise', sex: 'female' }));
    // As above, "given" compares one record's family name with the other's given names.
    expect(swapped.evidence.slice(0, 2)).toMatchObject([{ field: 'given', level: 'exact', detail: 'swapped' }, { field: 'family', level: 'close', detail: 'swapped' }]);
    expect(swapped.decision).toBe('link');
    const viaMiddle = outcome(annaLouise, variant({ given: ['Pelletier'], family: 'Louise', sex: 'female' }));
    expect(viaMiddle.evidence.slice(0, 2).map((e) => e.detail)).not.toContain('swapped');
  });
});

describe('name frequencies', () => {
  // 2,000 counted records: "pelletier" on one of them, "smith" on 1,000; "william" on 1,000.
  const frequencies = new NameFrequencies();
  for (let i = 0; i < 2000; i++) frequencies.add(normalize({ given: [i < 1000 ? 'William' : `G${i.toString(36)}x`], family: i === 0 ? 'Pelletier' : i < 1000 ? 'Smith' : `F${i.toString(36)}x` }));
  const withFrequencies = (a: Demographics, b: Demographics) => scorePair(normalize(a), normalize(b), { frequencies });

  it('a rare family name adds weight, a common one takes it away', () => {
    const plain = scorePair(normalize(base), normalize(base)).score;
    const rare = withFrequencies(base, base);
    expect(rare.evidence.find((e) => e.field === 'family')).toMatchObject({ level: 'exact', detail: 'rare-name', weight: 6 + 3 });
    expect(rare.evidence.find((e) => e.field === 'given')).toMatchObject({ detail: 'common-name' });
    const smith = variant({ family: 'Smith' });
    expect(withFrequencies(smith, smith).score).toBeLessThan(plain);
  });

  it('without anything beyond name and birth date in common, names weigh as without frequencies', () => {
    const stranger = variant({ address: { line: ['9 Pine Rd'], city: 'Bangor', postalCode: '04401' }, phone: '(207) 555-9999', ssn: undefined });
    const o = withFrequencies(base, stranger);
    expect(o.score).toBe(scorePair(normalize(base), normalize(stranger)).score);
    expect(o.evidence.find((e) => e.field === 'family')?.detail).toBeUndefined();
  });
});
