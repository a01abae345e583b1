import { z } from 'zod';

/**
 * The token request body (RFC 6749 §4.4.2, §2.3.1). Parameters are form fields; each MUST NOT
 * appear more than once (§3.2), which the form parser turns into an array that fails here.
 * Unknown parameters are ignored (§3.2), so the object strips them.
 */
const param = (name: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `${name} is required` : `${name} must appear exactly once`) });

export const tokenRequestSchema = z
  .object({
    grant_type: param('grant_type').min(1, 'grant_type is required').describe('client_credentials'),
    scope: param('scope').optional().describe('Space-separated SMART system scopes; all the client may have when absent'),
    client_id: param('client_id').optional().describe('With client_secret, when not using HTTP Basic'),
    client_secret: param('client_secret').optional(),
  })
  .meta({ id: 'TokenRequest' });

export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** A parsed form body: repeated names become arrays. Null prototype so `__proto__=` is just a name. */
export type FormBody = Record<string, string | string[]>;

/** application/x-www-form-urlencoded, UTF-8 (RFC 6749 Appendix B), via URLSearchParams. */
export function parseForm(body: string): FormBody {
  const out: FormBody = Object.create(null) as FormBody;
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export const tokenResponseSchema = z
  .object({
    access_token: z.string().describe('A signed JWT (RFC 9068), for the Authorization: Bearer header'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds'),
    scope: z.string().describe('The scopes granted, in SMART v2 form'),
  })
  .meta({ id: 'TokenResponse' });

export const tokenErrorSchema = z
  .object({
    error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'server_error']),
    error_description: z.string(),
  })
  .meta({ id: 'TokenError', description: 'RFC 6749 §5.2' });

/** RFC 6749 §5.2 error codes. */
export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export interface TokenErrorBody {
  error: TokenErrorCode;
  error_description: string;
}
