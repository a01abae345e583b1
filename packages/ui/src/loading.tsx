/** A polite "loading" status for screen readers and a visible line for everyone else. */
export function Loading({ label }: { label: string }) {
  return (
    <p className="ui-loading" role="status">
      {label}
    </p>
  );
}
