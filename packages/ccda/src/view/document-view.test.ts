import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CcdaError } from '../errors.ts';
import { narrativeCcd, SYNTHETIC_CCD } from '../test-fixtures.ts';
import { ccdaDocumentView, type CcdaSectionView } from './document-view.ts';
import { NARRATIVE_STYLES, type NarrativeNode } from './narrative.ts';

const TAGS = new Set(['paragraph', 'content', 'list', 'item', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'br', 'sub', 'sup', 'footnote', 'link', 'media']);
const KEYS = new Set(['tag', 'styles', 'ordered', 'colspan', 'rowspan', 'children']);

/** Every element of a narrative, depth first. */
function* elements(nodes: NarrativeNode[]): Generator<Exclude<NarrativeNode, string>> {
  for (const n of nodes) {
    if (typeof n === 'string') continue;
    yield n;
    yield* elements(n.children);
  }
}

function allSections(sections: CcdaSectionView[]): CcdaSectionView[] {
  return sections.flatMap((s) => [s, ...allSections(s.sections)]);
}

/** Only whitelisted tags, keys and styles; no markup or address anywhere in the text. */
function expectSafe(nodes: NarrativeNode[]): void {
  for (const el of elements(nodes)) {
    expect(TAGS.has(el.tag), el.tag).toBe(true);
    for (const k of Object.keys(el)) expect(KEYS.has(k), k).toBe(true);
    for (const s of el.styles ?? []) expect((NARRATIVE_STYLES as readonly string[]).includes(s)).toBe(true);
  }
  const json = JSON.stringify(nodes);
  expect(json).not.toMatch(/<\s*script|javascript:|onclick|onmouseover|evil\.example/i);
}

const text = (nodes: NarrativeNode[]): string => nodes.map((n) => (typeof n === 'string' ? n : text(n.children))).join('');

describe('a C-CDA document for reading', () => {
  const view = ccdaDocumentView(narrativeCcd());

  it('reads the header: title, type, date, patient, author and organization, custodian', () => {
    expect(view).toMatchObject({
      kind: 'ccda',
      title: 'Harbor Clinic visit summary',
      type: 'Summarization of Episode Note',
      date: '2024-06-12T14:30:00-04:00',
      patient: { name: 'Tessa Quimby', birthDate: '2010-01-01', gender: 'female' },
      authors: [{ name: 'Maren Holloway MD', organization: 'Harbor Clinic', time: '2024-06-12' }],
      custodian: 'Harbor Clinic Records',
      body: null,
    });
    expect(allSections(view.sections).map((s) => s.title)).toEqual(['Problems', 'Medications', 'Assessment and plan', 'Patient instructions']);
    expect(view.sections[0]?.code).toBe('11450-4');
  });

  it('keeps a table with its caption, header, body and spans, without attributes or loose white space', () => {
    const [table] = view.sections[0]?.narrative ?? [];
    expect(table).toEqual({
      tag: 'table',
      children: [
        { tag: 'caption', children: ['Active problems'] },
        { tag: 'thead', children: [{ tag: 'tr', children: ['Problem', 'Status', 'Since'].map((h) => ({ tag: 'th', children: [h] })) }] },
        {
          tag: 'tbody',
          children: [
            { tag: 'tr', children: [{ tag: 'td', children: [{ tag: 'content', styles: ['Bold'], children: ['Asthma'] }] }, { tag: 'td', children: ['Active'] }, { tag: 'td', children: ['March 2019'] }] },
            { tag: 'tr', children: [{ tag: 'td', colspan: 3, children: ['Reviewed at this visit'] }] },
          ],
        },
      ],
    });
  });

  it('keeps an ordered list with its style, items, emphasis and line breaks', () => {
    expect(view.sections[1]?.narrative).toEqual([
      {
        tag: 'list',
        ordered: true,
        styles: ['LittleRoman'],
        children: [
          { tag: 'caption', children: ['Take as directed'] },
          { tag: 'item', children: ['Albuterol inhaler, ', { tag: 'content', styles: ['Italics'], children: ['two puffs'] }, ' as needed'] },
          { tag: 'item', children: ['Fluticasone 44 mcg', { tag: 'br', children: [] }, 'one puff twice a day'] },
        ],
      },
    ]);
  });

  it('drops scripts, handlers, deleted text and addresses; links are their text, images a placeholder, HTML its CDA equivalent', () => {
    const plan = view.sections[2]?.narrative ?? [];
    expectSafe(plan);
    const words = text(plan);
    expect(words).toContain('SpO2 98%');
    expect(words).toContain('asthma action plan');
    expect(words).not.toContain('Old plan');
    expect(words).not.toContain('alert');
    const tags = [...elements(plan)].map((e) => e.tag);
    expect(tags).toEqual(expect.arrayContaining(['paragraph', 'sub', 'footnote', 'link', 'media']));
    expect([...elements(plan)].find((e) => e.tag === 'content' && e.styles?.includes('Underline'))?.styles).toEqual(['Bold', 'Underline']);
    expect([...elements(plan)].filter((e) => e.tag === 'media').map((e) => e.children)).toEqual([['Peak flow chart'], ['tracking pixel']]);
    expect([...elements(plan)].find((e) => e.tag === 'content' && e.styles?.[0] === 'Bold' && e.styles.length === 1)?.children).toEqual(['Follow up']);
    expect(view.sections[2]?.sections[0]?.narrative).toEqual([{ tag: 'list', children: [{ tag: 'item', children: ['Rinse after the steroid inhaler'] }, { tag: 'item', children: ['Call if the rescue inhaler is needed more than twice a week'] }] }]);
  });

  it('repairs structure a renderer would otherwise get wrong: rows outside a body, cells outside a row, text between rows', () => {
    const doc = narrativeCcd().replace(
      /<text>\s*<table[\s\S]*?<\/table>\s*<\/text>/,
      '<text><table><tr><td>a</td></tr> stray <td>b</td></table><list><content>loose</content><item>x</item></list></text>',
    );
    const [table, list] = ccdaDocumentView(doc).sections[0]?.narrative ?? [];
    expect(table).toEqual({
      tag: 'table',
      children: [{ tag: 'tbody', children: [{ tag: 'tr', children: [{ tag: 'td', children: ['a'] }] }, { tag: 'tr', children: [{ tag: 'td', children: [' stray '] }, { tag: 'td', children: ['b'] }] }] }],
    });
    expect(list).toEqual({ tag: 'list', children: [{ tag: 'item', children: [{ tag: 'content', children: ['loose'] }] }, { tag: 'item', children: ['x'] }] });
  });

  it('reads the synthetic CCD and an unstructured text document', () => {
    expect(ccdaDocumentView(SYNTHETIC_CCD)).toMatchObject({ title: 'Synthetic CCD', patient: { name: 'Test Q Patient' }, authors: [{ name: 'Ann Author', organization: null }], custodian: 'Test Clinic' });
    const plain = SYNTHETIC_CCD.replace(/<component><structuredBody>[\s\S]*<\/structuredBody><\/component>/, `<component><nonXMLBody><text mediaType="text/plain" representation="B64">${Buffer.from('Seen today.\nAll well.').toString('base64')}</text></nonXMLBody></component>`);
    expect(ccdaDocumentView(plain)).toMatchObject({ sections: [], body: { mediaType: 'text/plain', text: 'Seen today.\nAll well.' } });
    const pdf = plain.replace('mediaType="text/plain"', 'mediaType="application/pdf"');
    expect(ccdaDocumentView(pdf).body).toEqual({ mediaType: 'application/pdf', text: null });
  });

  it('refuses what is not a C-CDA document with a typed error', () => {
    expect(() => ccdaDocumentView('<html/>')).toThrow(CcdaError);
    expect(() => ccdaDocumentView('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><ClinicalDocument xmlns="urn:hl7-org:v3"/>')).toThrow(/DOCTYPE/);
  });
});

const base = process.env.KENNEBEC_SHARED_DATA ?? fileURLToPath(new URL('../../../../../shared/data', import.meta.url));
const roots = [join(base, 'ccda'), join(base, 'ccda-more')].filter((d) => existsSync(d));
const xmlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? xmlFiles(p) : name.endsWith('.xml') && !p.includes('/fragments/') ? [p] : [];
  });

describe.skipIf(roots.length === 0)('shared C-CDA samples for reading', () => {
  it('reads every complete document with only safe narrative', () => {
    let read = 0;
    let withNarrative = 0;
    for (const file of roots.flatMap(xmlFiles)) {
      let view;
      try {
        view = ccdaDocumentView(readFileSync(file));
      } catch (err) {
        expect(err, file).toBeInstanceOf(CcdaError);
        continue;
      }
      read += 1;
      const sections = allSections(view.sections);
      for (const s of sections) {
        for (const el of elements(s.narrative)) {
          expect(TAGS.has(el.tag), `${file}: ${el.tag}`).toBe(true);
          for (const k of Object.keys(el)) expect(KEYS.has(k), `${file}: ${k}`).toBe(true);
        }
      }
      if (sections.some((s) => s.narrative.length > 0) || view.body?.text) withNarrative += 1;
    }
    console.log(`read ${read} shared C-CDA documents, ${withNarrative} with narrative`);
    expect(read).toBeGreaterThan(50);
    expect(withNarrative / read).toBeGreaterThan(0.9);
  });
});
