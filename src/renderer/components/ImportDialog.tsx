// Adds a draft to the signing queue: the PDF, its summary (trích yếu), the signing method and the
// urgency. The file is sent to Kyso as soon as it is chosen (raw bytes, while the clerk types the
// summary); the import call then names it by its SHA-256, and Kyso keeps it under that name.
import { useState } from 'react';
import type { DocumentSummary, Method, Urgency } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call } from '../state.js';
import { ErrorBox } from './ErrorBox.js';
import { FileChooser, type Chosen } from './FileChooser.js';

export const URGENCIES: Urgency[] = ['normal', 'urgent', 'very-urgent', 'flash'];

export function ImportDialog({ onImported, onClose }: { onImported: (d: DocumentSummary) => void; onClose: () => void }) {
  const { t } = useT();
  const [file, setFile] = useState<Chosen | null>(null);
  const [uploaded, setUploaded] = useState(false);
  const [title, setTitle] = useState('');
  const [method, setMethod] = useState<Method>(3);
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    const sent = await call(file.uploaded, setError);
    const doc = sent
      ? await call(api.documents.import({ file: { name: sent.name, sha256: sent.sha256 }, title: title.trim() || file.name.replace(/\.pdf$/i, ''), method, urgency }), setError)
      : undefined;
    setBusy(false);
    if (!doc) {
      // An upload is used once, refused or not: the file must be chosen again.
      setFile(null);
      setUploaded(false);
    }
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
        <FileChooser
          kind="pdf"
          accept="application/pdf,.pdf"
          testId="import-file"
          className={`file-drop ${file ? 'chosen' : ''}`}
          onError={setError}
          onChoose={([c]) => {
            if (!c) return;
            setFile(c);
            setUploaded(false);
            void c.uploaded.then((r) => {
              if (r.ok) setUploaded(true);
              else setError(r.error);
            });
          }}
        >
          <Icon name="file" size={22} />
          <span data-testid="import-file-name" data-uploaded={uploaded}>
            {file ? file.name : t('chooseFile')}
          </span>
        </FileChooser>
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
