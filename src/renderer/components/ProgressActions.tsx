// An accepted document that came through the exchange: assign (04), in process (05), done (06),
// each recorded and answered to the sender (QN Đ10).
import { useState } from 'react';
import type { InboxItem } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useXT, type XKey } from '../i18n-exchange.js';
import { call, useShared } from '../state.js';

const ORDER = ['new', 'assigned', 'processing', 'done'] as const;

export function ProgressActions({ item, onDone, onError }: { item: InboxItem; onDone: (i: InboxItem) => void; onError: (e: ErrorPayload | null) => void }) {
  const { x } = useXT();
  const { notify } = useShared();
  const [note, setNote] = useState('');
  if (!item.exchange || item.status !== 'accepted' || item.exchange.frozen) return null;
  const now = ORDER.indexOf(item.exchange.progress as (typeof ORDER)[number]);
  const step = async (s: 'assigned' | 'processing' | 'done') => {
    const r = await call(api.exchange.progress({ id: item.id, step: s, ...(note.trim() ? { note: note.trim() } : {}) }), onError);
    if (r) {
      setNote('');
      notify(x('progressSent'));
      onDone(r);
    }
  };
  return (
    <div className="decide" data-testid="inbox-progress" data-progress={item.exchange.progress}>
      <p className="small">
        <strong>{x('progressTitle')}</strong> · {x('progressNow', { p: x(`pg_${item.exchange.progress}` as XKey) })}
      </p>
      <div className="row">
        <label className="grow">
          {x('progressNote')}
          <input value={note} onChange={(e) => setNote(e.target.value)} data-testid="progress-note" />
        </label>
      </div>
      <div className="progress-steps">
        {(['assigned', 'processing', 'done'] as const).map((s, i) => (
          <button key={s} disabled={i + 1 <= now} onClick={() => void step(s)} data-testid={`progress-${s}`}>
            {x(`step_${s}`)}
          </button>
        ))}
      </div>
    </div>
  );
}
