// Files a document into a record (hồ sơ) with its retention period (thời hạn bảo quản).
import { useState } from 'react';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { call } from '../state.js';

const RETENTIONS = ['permanent', '70', '50', '20', '10', '5'] as const;
type Retention = (typeof RETENTIONS)[number];

/** A retention as the store keeps it ("permanent", or years) in words. */
export function retentionLabel(r: string, t: ReturnType<typeof useT>['t'], lang: 'vi' | 'en'): string {
  if (r === 'permanent') return t('ret_permanent');
  return /^\d+$/.test(r) ? (lang === 'vi' ? `${r} năm` : `${r} years`) : r;
}

export function ArchiveForm({
  source,
  sourceId,
  onDone,
  onError,
  open = false,
}: {
  source: 'outgoing' | 'incoming';
  sourceId: string;
  onDone: () => void;
  onError: (e: ErrorPayload | null) => void;
  open?: boolean;
}) {
  const { t, lang } = useT();
  const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
  const [code, setCode] = useState('');
  const [title, setTitle] = useState('');
  const [retention, setRetention] = useState<Retention>('permanent');
  const [busy, setBusy] = useState(false);
  const label = (r: Retention) => retentionLabel(r, t, lang);
  const form = (
    <div className="archive-fields">
      <div className="row">
        <label>
          {t('recordCode')}
          <input value={code} onChange={(e) => setCode(e.target.value)} placeholder={`${year}.01.VP`} data-testid="record-code" />
        </label>
        <label className="grow">
          {t('recordTitle')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t('recordTitlePlaceholder')} data-testid="record-title" />
        </label>
        <label>
          {t('retention')}
          <select value={retention} onChange={(e) => setRetention(e.target.value as Retention)} data-testid="record-retention">
            {RETENTIONS.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button
        className="primary"
        disabled={!code.trim() || !title.trim() || busy}
        data-testid="archive-submit"
        onClick={async () => {
          setBusy(true);
          const r = await call(api.archive.add({ source, sourceId, recordCode: code.trim(), recordTitle: title.trim(), retention }), onError);
          setBusy(false);
          if (r) onDone();
        }}
      >
        {t('fileIt')}
      </button>
    </div>
  );
  if (open) return form;
  return (
    <details className="archive-form">
      <summary>{t('toArchive')}</summary>
      {form}
    </details>
  );
}
