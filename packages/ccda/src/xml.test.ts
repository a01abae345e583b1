import { describe, expect, it } from 'vitest';
import { CcdaError, convertCcda, parseXml } from './index.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CcdaError);
    return (err as CcdaError).code;
  }
  return undefined;
}

const V3 = 'xmlns="urn:hl7-org:v3"';

describe('safe XML parsing', () => {
  it('refuses a DOCTYPE with an external entity (XXE)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ClinicalDocument ${V3}>&x;</ClinicalDocument>`;
    expect(codeOf(() => convertCcda(xxe))).toBe('ccda-doctype-forbidden');
  });

  it('refuses entity expansion (billion laughs) before expanding anything', () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
    const doc = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}]><ClinicalDocument ${V3}>&lol9;</ClinicalDocument>`;
    expect(codeOf(() => parseXml(doc))).toBe('ccda-doctype-forbidden');
  });

  it('refuses text that is not XML, with a position', () => {
    expect(codeOf(() => convertCcda('{"resourceType":"Patient"}'))).toBe('ccda-not-xml');
    expect(codeOf(() => convertCcda(`<ClinicalDocument ${V3}><unclosed></ClinicalDocument>`))).toBe('ccda-not-xml');
    expect(codeOf(() => convertCcda(new Uint8Array([0x3c, 0x61, 0xff, 0xfe, 0x3e])))).toBe('ccda-not-xml');
  });

  it('refuses documents over the byte limit before parsing', () => {
    const big = `<ClinicalDocument ${V3}>${' '.repeat(2048)}</ClinicalDocument>`;
    expect(codeOf(() => convertCcda(big, { limits: { maxBytes: 1024 } }))).toBe('ccda-too-large');
    const huge = new Uint8Array(20 * 1024 * 1024 + 1);
    expect(codeOf(() => convertCcda(huge))).toBe('ccda-too-large');
  });

  it('enforces depth and element-count limits', () => {
    const deep = `<a>${'<b>'.repeat(300)}${'</b>'.repeat(300)}</a>`;
    expect(codeOf(() => parseXml(deep))).toBe('ccda-too-large');
    const wide = `<a>${'<b/>'.repeat(100)}</a>`;
    expect(codeOf(() => parseXml(wide, { maxElements: 50 }))).toBe('ccda-too-large');
  });

  it('requires ClinicalDocument in urn:hl7-org:v3 as the root', () => {
    expect(codeOf(() => convertCcda('<ClinicalDocument/>'))).toBe('ccda-not-cda');
    expect(codeOf(() => convertCcda(`<section ${V3}/>`))).toBe('ccda-not-cda');
  });

  it('requires a patient', () => {
    expect(codeOf(() => convertCcda(`<ClinicalDocument ${V3}><id root="1.2.3"/></ClinicalDocument>`))).toBe('ccda-missing-patient');
  });

  it('is namespace-aware and binds undeclared xsi:/sdtc: prefixes', () => {
    const root = parseXml(`<ClinicalDocument ${V3}><value xsi:type="PQ" value="1"/><sdtc:raceCode code="x"/></ClinicalDocument>`);
    const [value, race] = root.children;
    expect(value?.attrs.get('{http://www.w3.org/2001/XMLSchema-instance}type')).toBe('PQ');
    expect(race?.ns).toBe('urn:hl7-org:sdtc');
  });
});
