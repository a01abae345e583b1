import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

/**
 * More form controls, each labelled and with its hint and error tied to it: a multi-line text
 * field, a single checkbox, and a group of radio buttons in a fieldset whose legend names it.
 */
export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

function describedBy(...ids: (string | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

export function TextAreaField({ label, hint, error, className, rows = 3, ...area }: TextAreaFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`ui-field${error ? ' ui-field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="ui-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="ui-error" id={errorId}>
          {error}
        </p>
      )}
      <textarea {...area} rows={rows} id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(errorId, hintId)} />
    </div>
  );
}

export interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
}

export function CheckboxField({ label, hint, error, className, ...input }: CheckboxFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`ui-check${error ? ' ui-field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      {error && (
        <p className="ui-error" id={errorId}>
          {error}
        </p>
      )}
      <input {...input} type="checkbox" id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(errorId, hintId)} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="ui-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

export interface RadioGroupProps {
  legend: string;
  name: string;
  value: string;
  options: { value: string; label: string; hint?: string }[];
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
  required?: boolean;
}

export function RadioGroup({ legend, name, value, options, onChange, hint, error, required }: RadioGroupProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset className={`ui-radios${error ? ' ui-field-invalid' : ''}`} aria-describedby={describedBy(errorId, hintId)}>
      <legend>{legend}</legend>
      {hint && (
        <p className="ui-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="ui-error" id={errorId}>
          {error}
        </p>
      )}
      {options.map((o) => (
        <div className="ui-radio" key={o.value}>
          <input
            type="radio"
            id={`${id}-${o.value}`}
            name={name}
            value={o.value}
            checked={value === o.value}
            required={required}
            onChange={() => onChange(o.value)}
            aria-describedby={o.hint ? `${id}-${o.value}-hint` : undefined}
          />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          {o.hint && (
            <p className="ui-hint" id={`${id}-${o.value}-hint`}>
              {o.hint}
            </p>
          )}
        </div>
      ))}
    </fieldset>
  );
}
