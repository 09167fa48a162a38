// The organisation token's PIN for an envelope the outbox sends (a recall, a withdrawal (13), an
// update or a replacement): the same PIN dialog as signing. A wrong PIN keeps the dialog open with
// the tries left (the token list is read again); cancel sends nothing; another error closes it and
// is shown by the screen.
import { useState } from 'react';
import type { Result, Token } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { useShared } from '../state.js';
import { PinDialog } from './PinDialog.js';

export interface EnvelopeAsk<T> {
  /** What the PIN is for, shown in the dialog. */
  what: string;
  tokenLabel: string;
  run: (token: { label: string; serial?: string }, pin: string) => Promise<Result<T>>;
  onDone: (value: T) => void;
}

export function EnvelopePin<T>({ ask, onClose, onError }: { ask: EnvelopeAsk<T>; onClose: () => void; onError: (e: ErrorPayload | null) => void }) {
  const { tokens, refreshTokens } = useShared();
  const [busy, setBusy] = useState(false);
  const [pinError, setPinError] = useState<ErrorPayload | null>(null);
  const token: Token | undefined = tokens?.tokens.find((x) => x.label === ask.tokenLabel);
  if (!token) return null;
  const submit = async (pin: string) => {
    setBusy(true);
    const r = await ask.run({ label: token.label, serial: token.serial }, pin);
    setBusy(false);
    void refreshTokens();
    if (!r.ok) {
      if (r.error.code.startsWith('TOKEN_PIN')) {
        setPinError(r.error);
        return;
      }
      onClose();
      onError(r.error);
      return;
    }
    onError(null);
    onClose();
    ask.onDone(r.value);
  };
  return <PinDialog token={token} busy={busy} error={pinError} what={ask.what} onCancel={onClose} onSubmit={(pin) => void submit(pin)} />;
}
