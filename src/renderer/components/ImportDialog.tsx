// Adds a draft to the signing queue: the PDF, its summary (trích yếu), the signing method and the
// urgency. The file goes to the main process as base64 and is kept there under its SHA-256.
import { useState } from 'react';
import type { DocumentSummary, Method, Urgency } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call } from '../state.js';
import { fileToBase64 } from '../util.js';
import { ErrorBox } from './ErrorBox.js';

export const URGENCIES: Urgency[] = ['normal', 'urgent', 'very-urgent', 'flash'];

export function ImportDialog({ onImported, onClose }: { onImported: (d: DocumentSummary) => void; onClose: () => void }) {
  const { t } = useT();
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [method, setMethod] = useState<Method>(3);
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    const doc = await call(
      api.documents.import({ file: { name: file.name, data: await fileToBase64(file) }, title: title.trim() || file.name.replace(/\.pdf$/i, ''), method, urgency }),
      setError,
    );
    setBusy(false);
    if (doc) onImported(doc);
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        data-testid="import-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2>{t('importDraft')}</h2>
        <label className={`file-drop ${file ? 'chosen' : ''}`}>
          <Icon name="file" size={22} />
          <span>{file ? file.name : t('chooseFile')}</span>
          <input type="file" accept="application/pdf,.pdf" data-testid="import-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          {t('title')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t('titlePlaceholder')} data-testid="import-title" />
        </label>
        <fieldset className="methods">
          <legend>{t('method')}</legend>
          {([3, 2, 1] as const).map((m) => (
            <label key={m} className="radio">
              <input type="radio" name="method" checked={method === m} onChange={() => setMethod(m)} data-testid={`import-method-${m}`} />
              <span>
                <strong>{t(`method${m}`)}</strong>
                <span className="muted small">{t(`method${m}Hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label>
          {t('urgency')}
          <select value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)} data-testid="import-urgency">
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {t(`urg_${u}`)}
              </option>
            ))}
          </select>
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" disabled={!file || busy} data-testid="import-submit">
            {busy ? t('loading') : t('add')}
          </button>
        </div>
      </form>
    </div>
  );
}
