// Sổ địa chỉ: the agencies this desk exchanges with (name, code, how documents reach them), found
// by name or code without typing diacritics; add, edit, remove; the axis's agency list imported.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ExchangeView, Peer, TransportKind } from '../../shared/contract-exchange.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { foldVi, useXT } from '../i18n-exchange.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';

interface Draft {
  organId: string;
  name: string;
  transport: TransportKind;
  address: string;
  previousOrganId?: string;
}
const BLANK: Draft = { organId: '', name: '', transport: 'folder', address: '' };

/** Every word typed (folded) must occur in the folded name or code. */
export function matchesPeer(p: Pick<Peer, 'organId' | 'name'>, query: string): boolean {
  const words = foldVi(query).split(/\s+/).filter(Boolean);
  const hay = foldVi(`${p.name} ${p.organId}`);
  return words.every((w) => hay.includes(w));
}

export function AddressBookScreen() {
  const { t, x } = useXT();
  const { notify } = useShared();
  const [view, setView] = useState<ExchangeView | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [query, setQuery] = useState('');
  const [draft, setDraft] = useState<Draft>(BLANK);
  const [importing, setImporting] = useState(false);

  const load = useCallback(async () => {
    const v = await call(api.exchange.get({}), setError);
    if (v) setView(v);
  }, []);
  useEffect(() => void load(), [load]);

  const peers = view?.peers ?? [];
  const shown = useMemo(() => peers.filter((p) => matchesPeer(p, query)), [peers, query]);
  const editing = draft.previousOrganId !== undefined;

  const save = async () => {
    const v = await call(api.exchange.savePeer({ organId: draft.organId.trim(), name: draft.name.trim(), transport: draft.transport, address: draft.address.trim(), ...(editing ? { previousOrganId: draft.previousOrganId } : {}) }), setError);
    if (v) {
      setView(v);
      notify(x('peerSaved', { name: draft.name.trim() }));
      setDraft(BLANK);
    }
  };
  const remove = async (p: Peer) => {
    if (!window.confirm(x('confirmRemove', { name: p.name, id: p.organId }))) return;
    const v = await call(api.exchange.removePeer({ organId: p.organId }), setError);
    if (v) {
      setView(v);
      notify(x('peerRemoved', { id: p.organId }));
    }
  };
  const importAxis = async () => {
    setImporting(true);
    const r = await call(api.exchange.importAgencies({}), setError);
    setImporting(false);
    if (r) {
      setView(r.view);
      notify(x('importedAgencies', { added: r.added, updated: r.updated }));
    }
  };
  const addressLabel = draft.transport === 'folder' ? x('peerAddressFolder') : draft.transport === 'mail' ? x('peerAddressMail') : x('peerAddressAxis');
  const canSave = draft.organId.trim() && draft.name.trim() && (draft.transport === 'axis' || draft.address.trim());

  return (
    <section className="screen" data-testid="screen-addressbook">
      <header className="screen-head">
        <div>
          <h1>{x('navAddressBook')}</h1>
          <p className="screen-sub">{x('addressSub')}</p>
        </div>
        <label className="search">
          <Icon name="search" />
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder={x('addressSearch')} aria-label={x('addressSearch')} data-testid="peer-search" />
        </label>
        <button onClick={() => void importAxis()} disabled={importing || view?.inbox?.kind !== 'axis'} title={view?.inbox?.kind !== 'axis' ? x('importAgenciesHint') : undefined} data-testid="peer-import">
          <Icon name="download" /> {x('importAgencies')}
        </button>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <div className="card-plain table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{x('organName')}</th>
              <th>{x('organId')}</th>
              <th>{x('transportKind')}</th>
              <th>{x('peerAddress')}</th>
              <th className="muted small num">{x('addressCount', { shown: shown.length, total: peers.length })}</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={5} className="empty" data-testid="peer-empty">
                  {peers.length === 0 ? x('addressEmpty') : x('addressNoMatch', { q: query })}
                </td>
              </tr>
            )}
            {shown.map((p) => (
              <tr key={p.organId} data-testid="peer-row" data-organ-id={p.organId} className={draft.previousOrganId === p.organId ? 'selected' : ''}>
                <td>
                  <strong>{p.name}</strong>
                </td>
                <td className="nowrap mono">{p.organId}</td>
                <td className="nowrap">
                  <span className="badge">{x(`tr_${p.transport}`)}</span>
                </td>
                <td className="wrap-anywhere small">{p.transport === 'axis' ? '—' : p.address}</td>
                <td>
                  <div className="row-actions">
                    <button onClick={() => setDraft({ organId: p.organId, name: p.name, transport: p.transport, address: p.transport === 'axis' ? '' : p.address, previousOrganId: p.organId })} data-testid="peer-edit">
                      {x('editPeer')}
                    </button>
                    <button className="danger-text" onClick={() => void remove(p)} data-testid="peer-remove">
                      {t('remove')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card-plain filing" data-testid="peer-form">
        <h2>{editing ? x('editingPeer', { id: draft.previousOrganId! }) : x('addPeer')}</h2>
        <div className="row">
          <label className="grow x-wide">
            {x('organName')}
            <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="Sở Nội vụ tỉnh Quảng Ninh" data-testid="peer-name" />
          </label>
          <label className="grow">
            {x('organId')}
            <input value={draft.organId} onChange={(e) => setDraft({ ...draft, organId: e.target.value })} placeholder="000.00.32.H41" data-testid="peer-organ-id" />
          </label>
          <label>
            {x('transportKind')}
            <select value={draft.transport} onChange={(e) => setDraft({ ...draft, transport: e.target.value as TransportKind })} data-testid="peer-transport">
              {(['folder', 'mail', 'axis'] as const).map((k) => (
                <option key={k} value={k}>
                  {x(`tr_${k}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="row">
          <label className="grow x-wide">
            {addressLabel}
            <input value={draft.transport === 'axis' ? draft.organId : draft.address} disabled={draft.transport === 'axis'} onChange={(e) => setDraft({ ...draft, address: e.target.value })} placeholder={draft.transport === 'folder' ? '/mnt/vanban/so-noi-vu' : draft.transport === 'mail' ? 'vanthu@snv.quangninh.gov.vn' : ''} data-testid="peer-address" />
          </label>
          <button className="primary" disabled={!canSave} onClick={() => void save()} data-testid="peer-save">
            <Icon name={editing ? 'check' : 'plus'} /> {editing ? t('save') : x('addPeer')}
          </button>
          {editing && <button onClick={() => setDraft(BLANK)}>{t('cancel')}</button>}
        </div>
      </div>
    </section>
  );
}
