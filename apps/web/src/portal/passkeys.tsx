import { useState } from 'react';
import { Alert, Button, Card, TextField } from '@kennebec/ui';
import { api, ApiError } from '../lib/api.ts';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { useSession, type SessionView } from '../lib/session.tsx';
import { assertPasskey, createPasskey, passkeysSupported, type CreationOptionsJSON, type RequestOptionsJSON } from '../lib/webauthn.ts';
import { AccountPage, Loaded, useLoad } from './account-page.tsx';

/**
 * Passkeys (WebAuthn, see the README's Accounts section): sign in with one alone, answer the
 * second-factor prompt with one, and add, rename and remove them on the Account page. Each
 * ceremony asks the server for options, hands them to the browser (navigator.credentials)
 * and sends the browser's answer back.
 */
interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  backedUp: boolean;
}

/** "Sign in with a passkey" on the sign-in page: no email or password needed. */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: (s: SessionView) => void }) {
  const { t } = useI18n();
  const form = useSubmit();
  if (!passkeysSupported()) return null;
  return (
    <div className="passkey-sign-in">
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <Button
        variant="secondary"
        busy={form.busy}
        onClick={() =>
          form.run(async () => {
            const options = await api.post<RequestOptionsJSON>('/api/session/passkey/options', {}, { quiet401: true });
            const response = await assertPasskey(options);
            onSignedIn(await api.post<SessionView>('/api/session/passkey', { response }, { quiet401: true }));
          })
        }
      >
        {t('passkey.signIn')}
      </Button>
    </div>
  );
}

/** The second step of signing in, answered with a passkey instead of a code. */
export function PasskeySecondFactor({ onSignedIn }: { onSignedIn: (s: SessionView) => void }) {
  const { t } = useI18n();
  const form = useSubmit();
  if (!passkeysSupported()) return null;
  return (
    <div className="passkey-sign-in">
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <Button
        variant="secondary"
        busy={form.busy}
        onClick={() =>
          form.run(async () => {
            const options = await api.post<RequestOptionsJSON>('/api/session/mfa/passkey/options', {});
            const response = await assertPasskey(options);
            onSignedIn(await api.post<SessionView>('/api/session/mfa/passkey', { response }));
          })
        }
      >
        {t('passkey.secondFactor')}
      </Button>
    </div>
  );
}

/** Adds a passkey to the signed-in account (also how staff may set up their second factor). */
export function AddPasskey({ onAdded }: { onAdded: (p: PasskeyView) => void }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [name, setName] = useState('');
  const form = useSubmit();
  if (!passkeysSupported()) return <Alert tone="info" title={t('passkey.unsupported')} />;
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        const options = await api.post<CreationOptionsJSON>('/api/passkeys/options', {});
        const response = await createPasskey(options);
        const added = await api.post<PasskeyView>('/api/passkeys', { response, ...(name.trim() ? { name: name.trim() } : {}) });
        setName('');
        await refresh();
        onAdded(added);
      })}
    >
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <TextField label={t('passkey.newName')} hint={t('passkey.newNameHint')} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      <Button type="submit" busy={form.busy}>
        {t('passkey.add')}
      </Button>
    </form>
  );
}

function PasskeyRow({ p, onChanged }: { p: PasskeyView; onChanged: (message: string) => void }) {
  const { t, date } = useI18n();
  const { refresh } = useSession();
  const [mode, setMode] = useState<'view' | 'rename' | 'remove'>('view');
  const [name, setName] = useState(p.name);
  const form = useSubmit();
  return (
    <li>
      <div className="row-head">
        <span className="row-title">{p.name}</span>
        {p.backedUp && <span className="badge">{t('passkey.synced')}</span>}
      </div>
      <p className="row-meta">
        <span>{t('passkey.added', { date: date(p.createdAt) })}</span>
        <span>{p.lastUsedAt ? t('passkey.lastUsed', { date: date(p.lastUsedAt, true) }) : t('passkey.neverUsed')}</span>
      </p>
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      {mode === 'rename' ? (
        <form
          noValidate
          onSubmit={form.onSubmit(async () => {
            await api.patch(`/api/passkeys/${encodeURIComponent(p.id)}`, { name: name.trim() });
            setMode('view');
            onChanged(t('passkey.renamed', { name: name.trim() }));
          })}
        >
          <TextField label={t('passkey.renameLabel', { name: p.name })} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoComplete="off" required />
          <div className="actions">
            <Button type="submit" busy={form.busy}>
              {t('passkey.save')}
            </Button>
            <Button variant="link" onClick={() => (setMode('view'), setName(p.name))}>
              {t('passkey.cancel')}
            </Button>
          </div>
        </form>
      ) : mode === 'remove' ? (
        <div role="group" aria-label={t('passkey.removeNamed', { name: p.name })}>
          <p>{t('passkey.confirmRemove', { name: p.name })}</p>
          <div className="actions">
            <Button
              variant="danger"
              busy={form.busy}
              onClick={() =>
                form.run(async () => {
                  try {
                    await api.del(`/api/passkeys/${encodeURIComponent(p.id)}`);
                  } catch (err) {
                    // Staff keep a second factor: the server says so with a 403.
                    if (err instanceof ApiError && err.status === 403) throw new ApiError(403, [{ code: 'KB-PASSKEY-LAST', diagnostics: null, expression: [] }]);
                    throw err;
                  }
                  await refresh();
                  onChanged(t('passkey.removed', { name: p.name }));
                })
              }
            >
              {t('passkey.removeConfirm')}
            </Button>
            <Button variant="link" onClick={() => setMode('view')}>
              {t('passkey.keep')}
            </Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button variant="secondary" aria-label={t('passkey.renameNamed', { name: p.name })} onClick={() => setMode('rename')}>
            {t('passkey.rename')}
          </Button>
          <Button variant="secondary" aria-label={t('passkey.removeNamed', { name: p.name })} onClick={() => setMode('remove')}>
            {t('passkey.remove')}
          </Button>
        </div>
      )}
    </li>
  );
}

export function PasskeysPage() {
  const { t } = useI18n();
  const state = useLoad<{ passkeys: PasskeyView[] }>('/api/passkeys');
  const [message, setMessage] = useState<string | null>(null);
  const changed = (m: string) => {
    setMessage(m);
    state.reload();
  };
  return (
    <AccountPage titleKey="account.passkeys">
      <p>{t('passkey.intro')}</p>
      <div aria-live="polite">{message && <Alert tone="success" title={message} />}</div>
      <Loaded state={state}>
        {(d) =>
          d.passkeys.length === 0 ? (
            <p className="empty">{t('passkey.none')}</p>
          ) : (
            <ul className="rows" aria-label={t('passkey.list')}>
              {d.passkeys.map((p) => (
                <PasskeyRow key={`${p.id}:${p.name}`} p={p} onChanged={changed} />
              ))}
            </ul>
          )
        }
      </Loaded>
      <Card title={t('passkey.addTitle')} id="add-passkey">
        <AddPasskey onAdded={(p) => changed(t('passkey.addedOne', { name: p.name }))} />
      </Card>
    </AccountPage>
  );
}
