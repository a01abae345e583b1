import { useState } from 'react';
import { Button } from '@kennebec/ui';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { usePeople, type Person } from './people.tsx';

/**
 * Whose record is on screen, always in view: "You are viewing: Maya (child)". People who act
 * for others choose whom to view here; the choice is confirmed with a button, so that picking
 * in the list alone never changes the page.
 */
export function usePersonLabel(): (p: Person) => string {
  const { t } = useI18n();
  return (p) => {
    const name = p.name ?? t('person.unnamed');
    const rel: MessageKey = p.relation === 'self' ? 'person.self' : p.ageBand === 'child' ? 'person.child' : p.ageBand === 'teen' ? 'person.teen' : 'person.adult';
    return t('person.label', { name, relation: t(rel) });
  };
}

export function PersonSwitcher() {
  const { t } = useI18n();
  const { people, current, switchTo } = usePeople();
  const label = usePersonLabel();
  const [choice, setChoice] = useState<string>('');
  const form = useSubmit();
  if (!people || !current) return null;
  return (
    <section className="person-bar" aria-label={t('person.region')}>
      <p className="person-current" aria-live="polite">
        {t('person.viewing')} <strong>{label(current)}</strong>
      </p>
      {current.hiddenLabels.length > 0 && <p className="person-note">{t('person.confidential', { name: current.name ?? '' })}</p>}
      {people.length > 1 && (
        <form
          className="person-switch"
          onSubmit={form.onSubmit(async () => {
            await switchTo(choice || current.patientId);
            setChoice('');
          })}
        >
          <label htmlFor="person-select">{t('person.switchLabel')}</label>
          <select id="person-select" value={choice || current.patientId} onChange={(e) => setChoice(e.target.value)}>
            {people.map((p) => (
              <option key={p.patientId} value={p.patientId}>
                {label(p)}
              </option>
            ))}
          </select>
          <Button type="submit" variant="secondary" busy={form.busy}>
            {t('person.switch')}
          </Button>
        </form>
      )}
      <ErrorAlert error={form.error} alertRef={form.alertRef} />
    </section>
  );
}
