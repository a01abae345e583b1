import { z } from 'zod';

/** One client certificate: its PEM text, or its SHA-256 fingerprint alone. */
export const certificateBody = z.union([
  z.object({ pem: z.string().min(1).max(64 * 1024) }).strict(),
  z.object({ fingerprint: z.string().min(1).max(200) }).strict(),
]);

/** Body of POST /admin/sources. */
export const newSourceBody = z.object({
  name: z.string().trim().min(1).max(200),
  hl7Facility: z.string().min(1).max(64),
  oid: z.string().max(128).optional(),
  certificates: z.array(certificateBody).max(20).optional(),
});
export type NewSourceBody = z.infer<typeof newSourceBody>;
