import { Client } from 'fhir-kit-client';
import type { Bundle, CapabilityStatement, Patient } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, freePort, type TestServer } from '@kennebec/test-support';

/** A widely used FHIR client library, unmodified, against the server listening on a real socket. */
let t: TestServer;
let client: Client;

beforeAll(async () => {
  // The server's BASE_URL must be where it listens, so that its paging links can be followed.
  const port = await freePort();
  t = await createTestServer({ env: { BASE_URL: `http://127.0.0.1:${port}` } });
  const token = await t.token();
  await t.app.listen({ port, host: '127.0.0.1' });
  client = new Client({ baseUrl: `http://127.0.0.1:${port}/fhir/R4`, customHeaders: { Authorization: `Bearer ${token}` } });
});
afterAll(async () => t.close());

describe('fhir-kit-client drives the server', () => {
  it('reads the CapabilityStatement', async () => {
    const cs = (await client.capabilityStatement()) as unknown as CapabilityStatement;
    expect(cs.fhirVersion).toBe('4.0.1');
  });

  it('creates, reads, updates, searches and deletes', async () => {
    const body: Patient = { resourceType: 'Patient', name: [{ family: 'Thibodeau', given: ['Lise'] }], birthDate: '1970-02-03' };
    const created = (await client.create({ resourceType: 'Patient', body: body as never })) as unknown as Patient & { id: string };
    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as unknown as Patient;
    expect(read.name?.[0]?.family).toBe('Thibodeau');
    const updated = (await client.update({ resourceType: 'Patient', id: created.id, body: { ...read, gender: 'female' } as never })) as unknown as Patient;
    expect(updated.meta?.versionId).toBe('2');
    const found = (await client.search({ resourceType: 'Patient', searchParams: { family: 'thibo' } })) as unknown as Bundle;
    expect(found.entry?.map((e) => e.resource?.id)).toContain(created.id);
    await client.delete({ resourceType: 'Patient', id: created.id });
    await expect(client.read({ resourceType: 'Patient', id: created.id })).rejects.toMatchObject({ response: { status: 410 } });
  });

  it('posts a transaction and follows next-page links', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
      resource: { resourceType: 'Patient' as const, name: [{ family: 'Pagewalker', given: [`P${i}`] }] },
      request: { method: 'POST' as const, url: 'Patient' },
    }));
    const tx: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
    const res = (await client.transaction({ body: tx as never })) as unknown as Bundle;
    expect(res.entry?.map((e) => e.response?.status)).toEqual(Array(5).fill('201 Created'));
    let page = (await client.search({ resourceType: 'Patient', searchParams: { family: 'pagewalker', _count: 2 } })) as unknown as Bundle | undefined;
    const seen: string[] = [];
    for (let i = 0; i < 5 && page; i++) {
      seen.push(...(page.entry ?? []).map((e) => e.resource?.id ?? ''));
      page = (await client.nextPage({ bundle: page as never })) as unknown as Bundle | undefined;
    }
    expect(new Set(seen).size).toBe(5);
  });
});
