/**
 * Passkeys in the browser: the server's WebAuthn options (JSON, binary fields as base64url) to
 * the objects navigator.credentials wants, and the credential it returns back to JSON
 * (https://www.w3.org/TR/webauthn-3/#sctn-registrationresponsejson). Done by hand rather than
 * with PublicKeyCredential.parseCreationOptionsFromJSON / toJSON, which older browsers lack.
 */
export function toBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): ArrayBuffer {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

interface DescriptorJSON {
  id: string;
  type: 'public-key';
  transports?: string[];
}

export interface CreationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  timeout?: number;
  excludeCredentials?: DescriptorJSON[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  attestation?: AttestationConveyancePreference;
}

export interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
  timeout?: number;
  allowCredentials?: DescriptorJSON[];
  userVerification?: UserVerificationRequirement;
}

const descriptor = (d: DescriptorJSON): PublicKeyCredentialDescriptor => ({ id: fromBase64url(d.id), type: d.type, ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}) });

/** Whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** Why a ceremony did not give a credential, in words the page can choose from. */
export class PasskeyCancelled extends Error {
  constructor(readonly reason: 'cancelled' | 'exists' | 'unsupported') {
    super(reason);
  }
}

function browserError(err: unknown): never {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'InvalidStateError') throw new PasskeyCancelled('exists');
  if (name === 'NotSupportedError' || name === 'SecurityError') throw new PasskeyCancelled('unsupported');
  throw new PasskeyCancelled('cancelled');
}

/** navigator.credentials.create() with the server's options; the new credential as the server's JSON. */
export async function createPasskey(options: CreationOptionsJSON): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyCancelled('unsupported');
  const publicKey: PublicKeyCredentialCreationOptions = {
    challenge: fromBase64url(options.challenge),
    rp: options.rp,
    user: { id: fromBase64url(options.user.id), name: options.user.name, displayName: options.user.displayName },
    pubKeyCredParams: options.pubKeyCredParams,
    ...(options.timeout ? { timeout: options.timeout } : {}),
    ...(options.excludeCredentials ? { excludeCredentials: options.excludeCredentials.map(descriptor) } : {}),
    ...(options.authenticatorSelection ? { authenticatorSelection: options.authenticatorSelection } : {}),
    ...(options.attestation ? { attestation: options.attestation } : {}),
  };
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({ publicKey });
  } catch (err) {
    browserError(err);
  }
  if (!(credential instanceof PublicKeyCredential)) throw new PasskeyCancelled('cancelled');
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    ...credentialJson(credential),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      ...(typeof response.getTransports === 'function' ? { transports: response.getTransports() } : {}),
    },
  };
}

/** The fields a created credential and an assertion share, as the server's JSON. */
function credentialJson(credential: PublicKeyCredential): Record<string, unknown> {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: 'public-key',
    ...(credential.authenticatorAttachment === 'platform' || credential.authenticatorAttachment === 'cross-platform' ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** navigator.credentials.get() with the server's options; the assertion as the server's JSON. */
export async function assertPasskey(options: RequestOptionsJSON): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyCancelled('unsupported');
  const publicKey: PublicKeyCredentialRequestOptions = {
    challenge: fromBase64url(options.challenge),
    ...(options.rpId ? { rpId: options.rpId } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    ...(options.allowCredentials ? { allowCredentials: options.allowCredentials.map(descriptor) } : {}),
    ...(options.userVerification ? { userVerification: options.userVerification } : {}),
  };
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.get({ publicKey });
  } catch (err) {
    browserError(err);
  }
  if (!(credential instanceof PublicKeyCredential)) throw new PasskeyCancelled('cancelled');
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    ...credentialJson(credential),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      ...(response.userHandle ? { userHandle: toBase64url(response.userHandle) } : {}),
    },
  };
}
