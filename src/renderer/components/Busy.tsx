// A task under way: a spinner and what is being done, so no long task runs without a sign of life.
export function Busy({ text }: { text: string }) {
  return (
    <p className="busy" role="status" aria-live="polite" data-testid="busy">
      <span className="spinner" aria-hidden="true" />
      {text}
    </p>
  );
}
