import type { ReactNode } from 'react';

export interface CardProps {
  title: string;
  /** Heading level of the title, so the page outline stays right. */
  level?: 2 | 3;
  id?: string;
  actions?: ReactNode;
  children: ReactNode;
}

/** A titled region of a page (a landmark named by its heading). */
export function Card({ title, level = 2, id, actions, children }: CardProps) {
  const H = level === 2 ? 'h2' : 'h3';
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="ui-card" aria-labelledby={headingId} id={id}>
      <div className="ui-card-head">
        <H id={headingId}>{title}</H>
        {actions}
      </div>
      {children}
    </section>
  );
}
