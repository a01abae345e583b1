import { describe, expect, it } from 'vitest';
import { resourceOf, serializeJson } from './json.ts';

const version = (raw: string) => ({ resourceType: 'Patient', id: 'p', versionId: 1, lastUpdated: '2020-01-01T00:00:00Z', deleted: false, author: 'a', sourceOrg: null, raw });

describe('raw JSON pass-through', () => {
  it('embeds stored JSON text in a response without re-serializing it', () => {
    const raw = '{"resourceType": "Patient", "id": "p", "name": [{"family": "O\\"Brien \\u0000"}]}';
    const bundle = { resourceType: 'Bundle', entry: [{ resource: resourceOf(version(raw)) }, { resource: resourceOf(version(raw)) }], note: '\u0000' };
    const text = serializeJson(bundle);
    expect(JSON.parse(text)).toEqual({ resourceType: 'Bundle', entry: [{ resource: JSON.parse(raw) }, { resource: JSON.parse(raw) }], note: '\u0000' });
    expect(serializeJson(resourceOf(version(raw)))).toBe(raw);
  });
});
