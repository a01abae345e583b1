import { describe, expect, it } from 'vitest';
import { validateResource, type ValidationIssue } from './index.ts';
import { javaRegexToJs } from './java-regex.ts';

/** Puts a value where the given primitive type lives in a resource, and returns the issues there. */
type Carrier = (value: unknown) => { resource: Record<string, unknown>; at: string };

const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };

const CARRIERS: Record<string, Carrier> = {
  id: (v) => ({ resource: { resourceType: 'Patient', id: v }, at: 'Patient.id' }),
  boolean: (v) => ({ resource: { resourceType: 'Patient', active: v }, at: 'Patient.active' }),
  date: (v) => ({ resource: { resourceType: 'Patient', birthDate: v }, at: 'Patient.birthDate' }),
  dateTime: (v) => ({ resource: { ...obs, effectiveDateTime: v }, at: 'Observation.effective.ofType(dateTime)' }),
  instant: (v) => ({ resource: { ...obs, issued: v }, at: 'Observation.issued' }),
  time: (v) => ({ resource: { ...obs, valueTime: v }, at: 'Observation.value.ofType(time)' }),
  uri: (v) => ({ resource: { resourceType: 'Patient', implicitRules: v }, at: 'Patient.implicitRules' }),
  url: (v) => ({ resource: { resourceType: 'Patient', photo: [{ url: v }] }, at: 'Patient.photo[0].url' }),
  canonical: (v) => ({
    resource: { resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: v },
    at: 'QuestionnaireResponse.questionnaire',
  }),
  code: (v) => ({ resource: { resourceType: 'Patient', language: v }, at: 'Patient.language' }),
  string: (v) => ({ resource: { resourceType: 'Patient', name: [{ family: v }] }, at: 'Patient.name[0].family' }),
  markdown: (v) => ({ resource: { ...obs, note: [{ text: v }] }, at: 'Observation.note[0].text' }),
  decimal: (v) => ({ resource: { ...obs, valueQuantity: { value: v } }, at: 'Observation.value.ofType(Quantity).value' }),
  integer: (v) => ({ resource: { ...obs, valueInteger: v }, at: 'Observation.value.ofType(integer)' }),
  positiveInt: (v) => ({ resource: { resourceType: 'Patient', telecom: [{ rank: v }] }, at: 'Patient.telecom[0].rank' }),
  unsignedInt: (v) => ({ resource: { resourceType: 'Patient', photo: [{ size: v }] }, at: 'Patient.photo[0].size' }),
  base64Binary: (v) => ({ resource: { resourceType: 'Patient', photo: [{ contentType: 'image/png', data: v }] }, at: 'Patient.photo[0].data' }),
  oid: (v) => ({ resource: { resourceType: 'Patient', extension: [{ url: 'http://e.org/x', valueOid: v }] }, at: 'Patient.extension[0].value.ofType(oid)' }),
  uuid: (v) => ({ resource: { resourceType: 'Patient', extension: [{ url: 'http://e.org/x', valueUuid: v }] }, at: 'Patient.extension[0].value.ofType(uuid)' }),
};

const UUID = 'c757873d-ec9a-4326-a141-556f43239520';

const CASES: Record<string, { valid: unknown[]; invalid: unknown[] }> = {
  id: { valid: ['a', 'abc-1.2', 'A'.repeat(64)], invalid: ['a_b', 'a b', 'A'.repeat(65), '', 'é'] },
  boolean: { valid: [true, false], invalid: ['true', 1] },
  date: {
    valid: ['2021', '2021-02', '2021-02-28', '2024-02-29', '1000'],
    invalid: ['2021-13-45', '2021-02-30', '2023-02-29', '21-01-01', '2021-1-1', '2021-02-03T10:00:00Z', '0000', '12/25/1974'],
  },
  dateTime: {
    valid: ['2021', '2021-02', '2021-02-03', '2021-02-03T10:00:00Z', '2021-02-03T10:00:00.123+05:30', '2021-02-03T10:00:00-14:00'],
    invalid: ['2021-02-03T10:00:00', '2021-02-03T25:00:00Z', '2021-02-03 10:00:00Z', '2021-02-30T10:00:00Z', '2021-02-03T10:00Z', '2021-02-03T10:00:00+15:00'],
  },
  instant: {
    valid: ['2021-02-03T10:00:00Z', '2021-02-03T10:00:00.5-03:00'],
    invalid: ['2021-02-03', '2021-02-03T10:00:00', '2021', '2021-02-31T10:00:00Z'],
  },
  time: { valid: ['10:00:00', '23:59:59.999', '00:00:00'], invalid: ['24:00:00', '8:30:00', '10:00', '10:00:00Z'] },
  uri: {
    valid: ['http://example.org/a', `urn:uuid:${UUID}`, 'urn:oid:1.2.3', 'Patient/1', '#p1', 'mailto:a@b.org'],
    invalid: ['http://a b', 'oid:1.2.3', 'uuid:1234', 'urn:uuid:not-a-uuid', 'urn:oid:1.2.x', ' http://x'],
  },
  url: { valid: ['http://example.org/x.png'], invalid: ['http://example.org/a b.png', ''] },
  canonical: { valid: ['http://example.org/Questionnaire/q|1.0', '#q1'], invalid: ['http://example.org/Questionnaire/ q'] },
  code: { valid: ['en', 'a b', 'x-1.2'], invalid: [' en', 'en ', 'a  b', '   ', ''] },
  string: { valid: ['Shaw', 'multi\nline', 'no\u00a0break', 'x'.repeat(1000)], invalid: ['', 42] },
  markdown: { valid: ['**bold**\n\n* item'], invalid: [''] },
  decimal: { valid: [1.5, -0.0001, 1e3, 0, 72], invalid: ['1.5', Number.NaN, Number.POSITIVE_INFINITY] },
  integer: { valid: [0, -5, 2147483647, -2147483648], invalid: [2.5, 2147483648, -2147483649, '1'] },
  positiveInt: { valid: [1, 2147483647], invalid: [0, -1, 1.5] },
  unsignedInt: { valid: [0, 10], invalid: [-1, 0.5, 2147483648] },
  base64Binary: { valid: ['SGVsbG8=', 'SGVsbG8h', 'AAAA'], invalid: ['%%%2@()()', 'SGVsbG8', 'SGVsbG8===', 'SGV=bG8h', 'not base64!'] },
  oid: { valid: ['urn:oid:1.2.840.113556', 'urn:oid:2.16.840.1.113883.6.238'], invalid: ['1.2.3', 'urn:oid:1.2.x', 'urn:oid:3.1', 'urn:oid:1.02'] },
  uuid: { valid: [`urn:uuid:${UUID}`], invalid: [UUID, `urn:uuid:${UUID.toUpperCase()}`, 'urn:uuid:1234'] },
};

function issuesAt(type: string, value: unknown): ValidationIssue[] {
  const carrier = CARRIERS[type];
  if (!carrier) throw new Error(`no carrier for ${type}`);
  const { resource, at } = carrier(value);
  return validateResource(resource).issues.filter((i) => i.expression[0] === at);
}

describe('primitive formats', () => {
  for (const [type, { valid, invalid }] of Object.entries(CASES)) {
    it(`${type}: accepts valid values`, () => {
      for (const value of valid) {
        const errors = issuesAt(type, value).filter((i) => i.severity === 'error');
        expect(errors, `${type} ${JSON.stringify(value)}`).toEqual([]);
      }
    });

    it(`${type}: rejects invalid values`, () => {
      for (const value of invalid) {
        const errors = issuesAt(type, value).filter((i) => i.severity === 'error');
        expect(errors.length, `${type} ${JSON.stringify(value)}`).toBeGreaterThan(0);
        expect(['value', 'structure']).toContain(errors[0]?.code);
      }
    });
  }

  it('quotes short coded values in diagnostics', () => {
    expect(issuesAt('date', '2021-13-45')[0]?.diagnostics).toBe("Invalid date '2021-13-45'");
  });

  it('never quotes free text in diagnostics', () => {
    const secret = '\u000bPatient has HIV';
    const issues = issuesAt('string', secret);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.diagnostics).not.toContain('HIV');
    expect(issuesAt('base64Binary', 'SECRET!!').map((i) => i.diagnostics).join()).not.toContain('SECRET');
  });
});

describe('string rules', () => {
  it('reports whitespace-only and padded strings as warnings, not errors', () => {
    expect(issuesAt('string', '   ')).toEqual([expect.objectContaining({ severity: 'warning', code: 'value' })]);
    expect(issuesAt('string', ' Shaw')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('rejects strings over 1 MB as too-long', () => {
    const issues = issuesAt('string', 'x'.repeat(1024 * 1024 + 1));
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'too-long' })]);
  });

  it('warns about control characters and whitespace in base64', () => {
    expect(issuesAt('string', 'a\u0001b')[0]).toMatchObject({ severity: 'warning' });
    expect(issuesAt('base64Binary', 'SGVs\nbG8=')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('warns (R4) about relative canonicals', () => {
    expect(issuesAt('canonical', 'Questionnaire/q1')).toEqual([expect.objectContaining({ severity: 'warning', code: 'value' })]);
  });
});

describe('Java regex translation', () => {
  it('gives \\s and \\S their Java meaning and anchors the pattern', () => {
    const str = new RegExp(javaRegexToJs('[ \\r\\n\\t\\S]+'));
    expect(str.test('a\u00a0b')).toBe(true);
    expect(str.test('a\u000bb')).toBe(false);
    expect(str.test('a\fb')).toBe(false);
    const code = new RegExp(javaRegexToJs('[^\\s]+(\\s[^\\s]+)*'));
    expect(code.test('a b')).toBe(true);
    expect(code.test('a  b')).toBe(false);
    expect(code.test('a\u00a0b')).toBe(true);
    expect(new RegExp(javaRegexToJs('\\S*')).test('a b')).toBe(false);
    expect(new RegExp(javaRegexToJs('[0-9]+')).test('x12')).toBe(false);
  });
});
