import type { ReactNode } from 'react';

export interface AlertProps {
  /** error: announced at once (role=alert); info and success: announced politely (role=status). */
  tone: 'error' | 'info' | 'success' | 'warning';
  title?: string;
  children?: ReactNode;
}

export function Alert({ tone, title, children }: AlertProps) {
  return (
    <div className={`ui-alert ui-alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="ui-alert-title">{title}</p>}
      {children}
    </div>
  );
}
