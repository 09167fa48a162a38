// What the register shows of a received document — trích yếu, số/ký hiệu, ngày văn bản, tác giả,
// tên loại — read at arrival from the edXML envelope or page 1, corrected here by the clerk before
// or after accepting; each change is in the audit log.
import { useState } from 'react';
import type { InboxItem } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';

export function IncomingFields({ item, onChanged, onError }: { item: InboxItem; onChanged: (i: InboxItem) => void; onError: (e: ErrorPayload | null) => void }) {
  const { t } = useT();
  const { notify } = useShared();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState(item.title);
  const [number, setNumber] = useState(item.number ?? '');
  const [issueDate, setIssueDate] = useState(item.issueDate ?? '');
  const [sender, setSender] = useState(item.sender ?? '');
  const [docType, setDocType] = useState(item.docType ?? '');
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    const r = await call(api.inbox.edit({ id: item.id, title: title.trim(), number: number.trim(), issueDate, sender: sender.trim(), docType: docType.trim() }), onError);
    setBusy(false);
    if (r) {
      setOpen(false);
      notify(t('fieldsSaved'));
      onChanged(r);
    }
  };

  if (!open)
    return (
      <div className="row actions-row">
        <button onClick={() => setOpen(true)} data-testid="inbox-edit-open">
          <Icon name="sign" /> {t('fieldsEdit')}
        </button>
      </div>
    );
  return (
    <form
      className="incoming-fields card-plain"
      data-testid="inbox-edit"
      onSubmit={(e) => {
        e.preventDefault();
        if (title.trim() && !busy) void save();
      }}
    >
      <h3>{t('fieldsEdit')}</h3>
      <p className="muted small">{t('fieldsHint')}</p>
      <label>
        {t('fieldTitle')}
        <textarea rows={2} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="inbox-edit-title" />
      </label>
      <div className="row">
        <label className="grow">
          {t('fieldType')}
          <input value={docType} onChange={(e) => setDocType(e.target.value)} placeholder="Quyết định" data-testid="inbox-edit-type" />
        </label>
        <label className="grow">
          {t('fieldNumber')}
          <input value={number} onChange={(e) => setNumber(e.target.value)} placeholder="45/UBND-VP" data-testid="inbox-edit-number" />
        </label>
        <label>
          {t('fieldIssueDate')}
          <input type="date" value={issueDate} onChange={(e) => setIssueDate(e.target.value)} data-testid="inbox-edit-date" />
        </label>
      </div>
      <label>
        {t('fieldSender')}
        <input value={sender} onChange={(e) => setSender(e.target.value)} data-testid="inbox-edit-sender" />
      </label>
      <div className="row actions-row">
        <button className="primary" type="submit" disabled={!title.trim() || busy} data-testid="inbox-edit-save">
          <Icon name="check" /> {t('fieldsSave')}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
