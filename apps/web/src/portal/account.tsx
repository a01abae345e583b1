import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Card, Loading, SelectField, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useDraft } from '../lib/drafts.ts';
import { errorMessage } from '../lib/errors.ts';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { PageTitle } from '../shell.tsx';
import { TotpSetup } from './mfa.tsx';

/** Account: profile and linked organizations, password, two-step sign-in, sessions, proxies. */
const ACCOUNT_PAGES: { path: string; key: MessageKey }[] = [
  { path: '/account', key: 'account.profile' },
  { path: '/account/password', key: 'account.password' },
  { path: '/account/security', key: 'account.security' },
  { path: '/account/sessions', key: 'account.sessions' },
  { path: '/account/proxies', key: 'account.proxies' },
  { path: '/account/people', key: 'account.people' },
];

function AccountPage({ titleKey, children }: { titleKey: MessageKey; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="with-sub-nav">
      <nav aria-label={t('account.nav')} className="sub-nav">
        <ul>
          {ACCOUNT_PAGES.map((p) => (
            <li key={p.path}>
              <Link to={p.path}>{t(p.key)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <div>
        <PageTitle title={t(titleKey)}>{t(titleKey)}</PageTitle>
        {children}
      </div>
    </div>
  );
}

/** Loads JSON once (and again on reload()). */
function useLoad<T>(path: string): { data: T | undefined; error: unknown; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    api.get<T>(path).then(
      (data) => live && setState({ data }),
      (error: unknown) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data: state.data, error: state.error, reload: useCallback(() => setN((x) => x + 1), []) };
}

function Loaded<T>({ state, children }: { state: { data: T | undefined; error: unknown }; children: (d: T) => ReactNode }) {
  const { t } = useI18n();
  if (state.error) return <Alert tone="error" title={errorMessage(state.error, t)} />;
  if (state.data === undefined) return <Loading label={t('common.loading')} />;
  return <>{children(state.data)}</>;
}

export function ProfilePage() {
  const { t, date } = useI18n();
  const { session } = useSession();
  const links = useLoad<{ links: { patientId: string; orgId: string; organization: string; linkedAt: string }[] }>('/api/enrollment/links');
  if (!session?.authenticated) return null;
  const u = session.user;
  return (
    <AccountPage titleKey="account.profile">
      <dl className="facts">
        <dt>{t('field.name')}</dt>
        <dd>{u.name ?? '—'}</dd>
        <dt>{t('field.email')}</dt>
        <dd>
          {u.email} {u.emailVerified && <span className="badge badge-ok">{t('account.verified')}</span>}
        </dd>
        <dt>{t('account.signedInWith')}</dt>
        <dd>{session.session.authMethod === 'oidc' ? t('account.methodOidc') : t('account.methodPassword')}</dd>
      </dl>
      <Card title={t('account.orgs')} id="orgs">
        <Loaded state={links}>
          {(d) =>
            d.links.length === 0 ? (
              <p className="empty">{t('account.noOrgs')}</p>
            ) : (
              <ul className="rows" aria-label={t('account.orgs')}>
                {d.links.map((l) => (
                  <li key={l.patientId}>
                    <span className="row-title">{l.organization}</span>
                    <p className="row-meta">{t('account.linkedOn', { date: date(l.linkedAt) })}</p>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Card>
    </AccountPage>
  );
}

export function PasswordPage() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const form = useSubmit();
  return (
    <AccountPage titleKey="account.password">
      {done && <Alert tone="success" title={t('account.passwordChanged')} />}
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <form
        noValidate
        onSubmit={form.onSubmit(async () => {
          setDone(false);
          await api.post('/api/account/password', { currentPassword: current, newPassword: next });
          setCurrent('');
          setNext('');
          setDone(true);
        })}
      >
        <TextField label={t('field.currentPassword')} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        <TextField label={t('field.newPassword')} hint={t('password.hint')} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
        <Button type="submit" busy={form.busy}>
          {t('account.changePassword')}
        </Button>
      </form>
    </AccountPage>
  );
}

function CodeAction({ label, submit, danger, onDone }: { label: string; submit: (code: string) => Promise<void>; danger?: boolean; onDone?: () => void }) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const form = useSubmit();
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        await submit(code.replace(/\s/g, ''));
        setCode('');
        onDone?.();
      })}
    >
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <TextField label={t('signIn.code')} hint={t('signIn.codeHint')} value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" required />
      <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={form.busy}>
        {label}
      </Button>
    </form>
  );
}

export function SecurityPage() {
  const { t } = useI18n();
  const { session, refresh } = useSession();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [setup, setSetup] = useState(false);
  if (!session?.authenticated) return null;
  const mfa = session.user.mfa;
  return (
    <AccountPage titleKey="account.security">
      {!mfa.totp ? (
        setup ? (
          <TotpSetup onDone={() => setSetup(false)} />
        ) : (
          <>
            <Alert tone="warning" title={t('security.off')} />
            <p>{t('mfa.intro')}</p>
            <Button onClick={() => setSetup(true)}>{t('mfa.start')}</Button>
          </>
        )
      ) : (
        <>
          <Alert tone="success" title={t('security.on')}>
            <p>{t('security.codesLeft', { n: mfa.recoveryCodesLeft })}</p>
          </Alert>
          {codes && (
            <Card title={t('mfa.recoveryTitle')} id="new-codes">
              <p>{t('mfa.recoveryIntro')}</p>
              <ul className="codes" aria-label={t('mfa.recoveryTitle')}>
                {codes.map((c) => (
                  <li key={c}>
                    <code>{c}</code>
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <Card title={t('security.newCodes')} id="codes">
            <CodeAction
              label={t('security.newCodesSubmit')}
              submit={async (code) => {
                const res = await api.post<{ recoveryCodes: string[] }>('/api/mfa/recovery-codes', { code });
                setCodes(res.recoveryCodes);
                await refresh();
              }}
            />
          </Card>
          {session.user.kind === 'patient' && (
            <Card title={t('security.turnOff')} id="turn-off">
              <p>{t('security.turnOffBody')}</p>
              <CodeAction
                danger
                label={t('security.turnOffSubmit')}
                submit={async (code) => {
                  await api.del('/api/mfa/totp', { code });
                  setCodes(null);
                  await refresh();
                }}
              />
            </Card>
          )}
        </>
      )}
    </AccountPage>
  );
}

interface SessionRow {
  id: string;
  authMethod: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  current: boolean;
}

/** A short name for a browser from its user agent ("Chrome on Linux"), never the whole string. */
function browserName(ua: string | null, unknown: string): string {
  if (!ua) return unknown;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : unknown;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} · ${os}` : browser;
}

export function SessionsPage() {
  const { t, date } = useI18n();
  const state = useLoad<{ sessions: SessionRow[] }>('/api/sessions');
  const [ended, setEnded] = useState<number | null>(null);
  const form = useSubmit();
  return (
    <AccountPage titleKey="account.sessions">
      {ended !== null && <Alert tone="success" title={t('sessions.ended', { n: ended })} />}
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <Loaded state={state}>
        {(d) => (
          <>
            <ul className="rows" aria-label={t('account.sessions')}>
              {d.sessions.map((s) => (
                <li key={s.id}>
                  <div className="row-head">
                    <span className="row-title">{browserName(s.userAgent, t('sessions.unknownBrowser'))}</span>
                    {s.current && <span className="badge badge-ok">{t('sessions.current')}</span>}
                  </div>
                  <p className="row-meta">
                    <span>{t('sessions.since', { date: date(s.createdAt, true) })}</span>
                    <span>{t('sessions.lastSeen', { date: date(s.lastSeenAt, true) })}</span>
                  </p>
                  {!s.current && (
                    <Button
                      variant="secondary"
                      aria-label={t('sessions.endOneNamed', { name: browserName(s.userAgent, t('sessions.unknownBrowser')), date: date(s.createdAt, true) })}
                      onClick={() =>
                        form.run(async () => {
                          await api.del(`/api/sessions/${encodeURIComponent(s.id)}`);
                          setEnded(1);
                          state.reload();
                        })
                      }
                    >
                      {t('sessions.endOne')}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
            {d.sessions.some((s) => !s.current) && (
              <Button
                variant="danger"
                busy={form.busy}
                onClick={() =>
                  form.run(async () => {
                    const r = await api.del<{ ended: number }>('/api/sessions?keep=current');
                    setEnded(r.ended);
                    state.reload();
                  })
                }
              >
                {t('sessions.endOthers')}
              </Button>
            )}
          </>
        )}
      </Loaded>
    </AccountPage>
  );
}

type Level = 'none' | 'view' | 'act';
type Permissions = { clinical: Level; messaging: Level; appointments: Level; billing: Level };
interface Grant {
  id: string;
  proxyEmail: string;
  basis: string;
  grantedAt: string;
  revokedAt: string | null;
  status: { active: boolean; text: string; permissions: Permissions };
}
const AREAS = ['clinical', 'messaging', 'appointments', 'billing'] as const;

export function ProxiesPage() {
  const { t, date } = useI18n();
  const state = useLoad<{ grants: Grant[]; invitations: { id: string; email: string; expiresAt: string }[] }>('/api/me/proxies');
  const [email, setEmail, clearEmail] = useDraft('proxy-invite-email');
  const [levels, setLevels] = useState<Permissions>({ clinical: 'view', messaging: 'none', appointments: 'none', billing: 'none' });
  const [invited, setInvited] = useState<{ code: string; email: string } | null>(null);
  const [revoked, setRevoked] = useState(false);
  const form = useSubmit();
  const invite = useSubmit();
  const levelOptions = [
    { value: 'none', label: t('proxies.levelNone') },
    { value: 'view', label: t('proxies.levelView') },
    { value: 'act', label: t('proxies.levelAct') },
  ];
  return (
    <AccountPage titleKey="account.proxies">
      <p>{t('proxies.intro')}</p>
      {revoked && <Alert tone="success" title={t('proxies.revoked')} />}
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
      <Loaded state={state}>
        {(d) => {
          const active = d.grants.filter((g) => !g.revokedAt);
          return active.length === 0 && d.invitations.length === 0 ? (
            <p className="empty">{t('proxies.none')}</p>
          ) : (
            <ul className="rows" aria-label={t('account.proxies')}>
              {active.map((g) => (
                <li key={g.id}>
                  <div className="row-head">
                    <span className="row-title">{g.proxyEmail}</span>
                    <span className={`badge${g.status.active ? ' badge-ok' : ''}`}>{g.status.active ? t('proxies.active') : g.status.text}</span>
                  </div>
                  <p className="row-meta">
                    <span>{t('proxies.since', { date: date(g.grantedAt) })}</span>
                    <span>{AREAS.map((a) => `${t(`proxies.area.${a}` as MessageKey)}: ${t(`proxies.level.${g.status.permissions[a]}` as MessageKey)}`).join(' · ')}</span>
                  </p>
                  <Button
                    variant="danger"
                    aria-label={t('proxies.revokeNamed', { email: g.proxyEmail })}
                    onClick={() => {
                      if (!window.confirm(t('proxies.confirmRevoke', { email: g.proxyEmail }))) return;
                      void form.run(async () => {
                        await api.post(`/api/me/proxies/${encodeURIComponent(g.id)}/revoke`, {});
                        setRevoked(true);
                        state.reload();
                      });
                    }}
                  >
                    {t('proxies.revoke')}
                  </Button>
                </li>
              ))}
              {d.invitations.map((i) => (
                <li key={i.id}>
                  <div className="row-head">
                    <span className="row-title">{i.email}</span>
                    <span className="badge">{t('proxies.pending')}</span>
                  </div>
                  <p className="row-meta">{t('proxies.expires', { date: date(i.expiresAt) })}</p>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <Card title={t('proxies.inviteTitle')} id="invite">
        {invited && (
          <Alert tone="success" title={t('proxies.invited', { email: invited.email })}>
            <p>
              {t('proxies.codeIs')} <code className="big-code">{invited.code}</code>
            </p>
          </Alert>
        )}
        <ErrorAlert error={invite.error} alertRef={invite.alertRef} />
        <form
          noValidate
          onSubmit={invite.onSubmit(async () => {
            const r = await api.post<{ code: string }>('/api/me/proxy-invitations', { email: email.trim(), permissions: levels });
            setInvited({ code: r.code, email: email.trim() });
            setEmail('');
            clearEmail();
            state.reload();
          })}
        >
          <TextField label={t('field.email')} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <fieldset className="levels">
            <legend>{t('proxies.levels')}</legend>
            {AREAS.map((a) => (
              <SelectField key={a} label={t(`proxies.area.${a}` as MessageKey)} options={levelOptions} value={levels[a]} onChange={(e) => setLevels({ ...levels, [a]: e.target.value as Level })} />
            ))}
          </fieldset>
          <Button type="submit" busy={invite.busy}>
            {t('proxies.invite')}
          </Button>
        </form>
      </Card>
    </AccountPage>
  );
}

interface Subject {
  id: string;
  patientId: string;
  name: string | null;
  basis: string;
  status: { active: boolean; text: string; ageBand: string; hidesConfidential: boolean };
}

export function PeoplePage() {
  const { t } = useI18n();
  const state = useLoad<{ subjects: Subject[] }>('/api/proxy/subjects');
  return (
    <AccountPage titleKey="account.people">
      <p>{t('people.intro')}</p>
      <Loaded state={state}>
        {(d) =>
          d.subjects.length === 0 ? (
            <p className="empty">{t('people.none')}</p>
          ) : (
            <ul className="rows" aria-label={t('account.people')}>
              {d.subjects.map((s) => (
                <li key={s.id}>
                  <div className="row-head">
                    <span className="row-title">{s.name ?? t('person.unnamed')}</span>
                    <span className={`badge${s.status.active ? ' badge-ok' : ''}`}>{s.status.text}</span>
                  </div>
                  {s.status.hidesConfidential && <p className="row-meta">{t('people.confidential')}</p>}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </AccountPage>
  );
}
