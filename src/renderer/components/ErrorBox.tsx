// An error as the person reads it: the catalogue's sentence and what to do, in the chosen language.
import type { ErrorPayload } from '../../shared/errors.js';
import { useT } from '../i18n.js';

export function ErrorBox({ error, onClose }: { error: ErrorPayload | null; onClose?: () => void }) {
  const { t, err } = useT();
  if (!error) return null;
  const { message, hint } = err(error);
  return (
    <div className="error-box" role="alert" data-testid="error" data-code={error.code}>
      <strong>{t('errorTitle')}</strong>
      <p className="error-message">{message}</p>
      <p className="error-hint">{hint}</p>
      {onClose && (
        <button className="link" onClick={onClose}>
          {t('close')}
        </button>
      )}
    </div>
  );
}
