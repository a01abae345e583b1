import { z } from 'zod';
import { NARRATIVE_STYLES } from '@kennebec/ccda';

/**
 * The JSON of a document read in the portal. A C-CDA section's narrative is a tree of a few
 * whitelisted elements (the CDA narrative block's own: paragraph, content, list, table…) and
 * text; the portal renders each as its own element, never as markup from the document.
 */
const NARRATIVE_TAGS = ['paragraph', 'content', 'list', 'item', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'br', 'sub', 'sup', 'footnote', 'link', 'media'] as const;

export const narrativeElement = z
  .object({
    tag: z.enum(NARRATIVE_TAGS).describe('link: a link’s text (its address is not kept); media: an image’s caption (the image is not kept)'),
    styles: z.array(z.enum(NARRATIVE_STYLES)).optional().describe('CDA styleCode values'),
    ordered: z.boolean().optional().describe('list: numbered'),
    colspan: z.number().int().optional(),
    rowspan: z.number().int().optional(),
    get children() {
      return z.array(z.union([z.string(), narrativeElement]));
    },
  })
  .meta({ id: 'NarrativeElement' });

export const narrative = z.array(z.union([z.string(), narrativeElement])).describe('Text and narrative elements, in order');

const section = z
  .object({
    title: z.string(),
    code: z.string().nullable().describe('The section’s LOINC code'),
    narrative,
    get sections() {
      return z.array(section);
    },
  })
  .meta({ id: 'CcdaSection' });

const ccda = z.object({
  kind: z.literal('ccda'),
  title: z.string(),
  type: z.string().nullable().describe('The kind of document (its code’s display name)'),
  date: z.string().nullable().describe('When it was written (FHIR date or dateTime)'),
  patient: z.object({ name: z.string().nullable(), birthDate: z.string().nullable(), gender: z.string().nullable() }),
  authors: z.array(z.object({ name: z.string().nullable(), organization: z.string().nullable(), time: z.string().nullable() })),
  custodian: z.string().nullable().describe('The organization that keeps the original'),
  sections: z.array(section),
  body: z.object({ mediaType: z.string(), text: z.string().nullable() }).nullable().describe('An unstructured document: its text when it is plain text'),
});

export const documentContent = z
  .discriminatedUnion('kind', [
    ccda,
    z.object({ kind: z.literal('text'), text: z.string() }),
    z.object({ kind: z.literal('unavailable'), contentType: z.string().nullable().describe('The form it is kept in (a PDF, an image), or null when no content is kept') }),
  ])
  .describe('ccda: a C-CDA document’s header and sections; text: plain text; unavailable: not shown in the portal');
