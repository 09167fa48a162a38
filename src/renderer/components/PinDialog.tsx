// Asks for the token PIN and says how close the token is to locking. The PIN leaves this dialog
// only in the signing call; it is not kept after the dialog closes.
import { useState, type FormEvent } from 'react';
import type { Token } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { Busy } from './Busy.js';
import { ErrorBox } from './ErrorBox.js';

export function PinDialog({
  token,
  busy,
  error,
  what,
  onSubmit,
  onCancel,
}: {
  token: Token;
  busy: boolean;
  error: ErrorPayload | null;
  /** What the PIN is for, e.g. "Leader signs: <title>". */
  what: string;
  onSubmit: (pin: string) => void;
  onCancel: () => void;
}) {
  const { t } = useT();
  const [pin, setPin] = useState('');
  const cert = token.certificates.find((c) => !c.isCa);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pin) onSubmit(pin);
    setPin('');
  };
  const { triesLeft, lockAfter, wrongSinceLogin } = token.pin;
  const tries = token.flags.userPinLocked
    ? t('pinLocked')
    : token.flags.userPinFinalTry
      ? t('pinFinalTry')
      : triesLeft !== null
        ? t('pinTriesLeft', { n: triesLeft })
        : t('pinUnknownTries');
  const warn = token.flags.userPinLocked || token.flags.userPinFinalTry || token.flags.userPinCountLow || wrongSinceLogin > 0;
  return (
    <div className="modal-backdrop">
      <form className="modal pin" onSubmit={submit} data-testid="pin-dialog">
        <h2>
          <Icon name="token" /> {t('pinTitle')}
        </h2>
        <p className="muted">{what}</p>
        <dl className="facts wide">
          <dt>{t('token')}</dt>
          <dd>{token.label}</dd>
          <dt>{t('signer')}</dt>
          <dd>{cert?.commonName ?? '—'}</dd>
        </dl>
        <div className={`tries ${warn ? 'warn' : ''}`} data-testid="pin-tries" data-tries-left={triesLeft ?? ''}>
          <strong>{tries}</strong>
          {wrongSinceLogin > 0 && <span> {t('pinWrongHere', { n: wrongSinceLogin })}</span>}
          {token.flags.userPinCountLow && !token.flags.userPinFinalTry && wrongSinceLogin === 0 && <span> {t('pinCountLow')}</span>}
          {lockAfter !== null && <span className="small"> {t('pinLockAfter', { n: lockAfter })}</span>}
        </div>
        <label>
          {t('pinLabel')}
          <input type="password" autoFocus autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin-input" disabled={busy || token.flags.userPinLocked} maxLength={64} />
        </label>
        <ErrorBox error={error} />
        {busy && <Busy text={t('signing')} />}
        <div className="actions">
          <button type="button" onClick={onCancel} disabled={busy}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !pin} data-testid="pin-ok">
            {t('pinOk')}
          </button>
        </div>
      </form>
    </div>
  );
}
