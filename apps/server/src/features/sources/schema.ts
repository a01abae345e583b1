import { z } from 'zod';

/** Body of POST /admin/sources. */
export const newSourceBody = z.object({
  name: z.string().trim().min(1).max(200),
  hl7Facility: z.string().min(1).max(64),
  oid: z.string().max(128).optional(),
});
export type NewSourceBody = z.infer<typeof newSourceBody>;
