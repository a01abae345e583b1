import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_THRESHOLDS } from './decide.ts';
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

  it('twins with rhyming names or the other twin\'s middle name', () => {
    expect(outcome(base, variant({ given: ['Henry'], ssn: undefined })).decision).not.toBe('link');
    expect(outcome(variant({ given: ['Donald'] }), variant({ given: ['Ronald'], ssn: '912-77-1111' })).decision).not.toBe('link');
  });

  it('Jr and Sr', () => {
    const o = outcome(variant({ suffix: 'Sr' }), variant({ suffix: 'Jr', birthDate: '1988-07-02', ssn: undefined }));
    expect(o.rules).toEqual(expect.arrayContaining(['suffix-mismatch', 'parent-child']));
    expect(o.decision).not.toBe('link');
  });

  it('parent and child with the same name and no suffix, even under the parent\'s SSN', () => {
    expect(outcome(base, variant({ birthDate: '1989-04-19', ssn: undefined })).decision).not.toBe('link');
    const o = outcome(base, variant({ birthDate: '1989-04-19' }));
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
  });
});
