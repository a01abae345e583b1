import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

export interface DialogProps {
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two. */
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  /** danger: the confirm button is styled as destructive (revoke, undo). */
  tone?: 'default' | 'danger';
  busy?: boolean;
  /** The confirm button submits the dialog's form, so fields inside it are checked first. */
  onConfirm: () => void;
  /** Cancel, Escape, or closing by other means. */
  onCancel: () => void;
}

/**
 * A modal confirmation built on the native <dialog>: the browser keeps focus inside it, Escape
 * cancels, the rest of the page is inert for assistive technology, and focus goes back to the
 * control that opened it when it closes. Named by its title, described by its text.
 */
export function Dialog({ open, title, children, confirmLabel, cancelLabel, tone = 'default', busy = false, onConfirm, onCancel }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onConfirm();
  };
  return (
    <dialog
      ref={ref}
      className="ui-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {open && (
        <form method="dialog" onSubmit={submit} noValidate>
          <h2 id={`${id}-title`} className="ui-dialog-title">
            {title}
          </h2>
          <div id={`${id}-body`} className="ui-dialog-body">
            {children}
          </div>
          <div className="ui-dialog-actions">
            <button type="submit" className={`ui-button ui-button-${tone === 'danger' ? 'danger' : 'primary'}`} disabled={busy} aria-busy={busy || undefined}>
              {confirmLabel}
            </button>
            <button type="button" className="ui-button ui-button-secondary" onClick={onCancel} disabled={busy}>
              {cancelLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
