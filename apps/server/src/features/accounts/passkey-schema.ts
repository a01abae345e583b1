import { z } from 'zod';

/**
 * Request and response bodies of the passkey routes. The WebAuthn shapes are the JSON forms of
 * the browser's objects (PublicKeyCredential.toJSON(), and the options that
 * PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON take):
 * https://www.w3.org/TR/webauthn-3/#sctn-registrationresponsejson
 */
const b64url = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding');
const isoTime = z.string().describe('ISO 8601 time');

export const passkeyName = z.string().trim().min(1).max(100).describe('A name to tell this passkey from the others ("Work laptop")');

const credentialFields = {
  id: b64url(1400).min(1).describe('The credential id, base64url'),
  rawId: b64url(1400).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

export const registrationResponse = z
  .object({
    ...credentialFields,
    response: z.object({
      clientDataJSON: b64url(4000).min(1),
      attestationObject: b64url(40_000).min(1),
      transports: z.array(z.string().max(32)).max(10).optional(),
    }),
  })
  .describe('The new credential, as PublicKeyCredential.toJSON() gives it after navigator.credentials.create()');

export const authenticationResponse = z
  .object({
    ...credentialFields,
    response: z.object({
      clientDataJSON: b64url(4000).min(1),
      authenticatorData: b64url(4000).min(1),
      signature: b64url(2000).min(1),
      userHandle: b64url(200).optional(),
    }),
  })
  .describe('The assertion, as PublicKeyCredential.toJSON() gives it after navigator.credentials.get()');

export const registerBody = z.object({ name: passkeyName.optional(), response: registrationResponse });
export const renameBody = z.object({ name: passkeyName });
export const assertionBody = z.object({ response: authenticationResponse });
export const passkeyIdParams = z.object({ id: z.string().min(1).max(64) });

const descriptor = z.object({ id: z.string(), type: z.literal('public-key'), transports: z.array(z.string()).optional() });

export const creationOptions = z
  .object({
    challenge: z.string(),
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number().int() })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(descriptor).optional(),
    authenticatorSelection: z.record(z.string(), z.unknown()).optional(),
    attestation: z.string().optional(),
  })
  .loose()
  .describe('PublicKeyCredentialCreationOptionsJSON: give to navigator.credentials.create() (after parseCreationOptionsFromJSON)');

export const requestOptions = z
  .object({
    challenge: z.string(),
    rpId: z.string().optional(),
    timeout: z.number().int().optional(),
    allowCredentials: z.array(descriptor).optional(),
    userVerification: z.enum(['required', 'preferred', 'discouraged']).optional(),
  })
  .loose()
  .describe('PublicKeyCredentialRequestOptionsJSON: give to navigator.credentials.get() (after parseRequestOptionsFromJSON)');

export const passkeyView = z.object({
  id: z.string().describe('Handle of this passkey in this API (not the credential id)'),
  name: z.string(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  transports: z.array(z.string()).describe('How the browser may reach the authenticator (internal, hybrid, usb, nfc, ble…)'),
  backedUp: z.boolean().describe('Whether the authenticator says the key is synced or backed up'),
});

export const passkeyList = z.object({ passkeys: z.array(passkeyView) });
