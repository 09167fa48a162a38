// Settings › the signing service for document-management systems (issue 16): on or off, the port
// (the VGCA service's is 8987), the pages allowed to ask for signatures, and Kyso's local CA in the
// browsers' trust stores.
import { useEffect, useState } from 'react';
import type { ServiceStatus } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { call, useShared } from '../state.js';
import { ErrorBox } from './ErrorBox.js';

export function ServiceSettings() {
  const { t } = useT();
  const { notify } = useShared();
  const [status, setStatus] = useState<ServiceStatus | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [port, setPort] = useState('');
  const [origin, setOrigin] = useState('');
  const [busy, setBusy] = useState(false);
  const [stores, setStores] = useState<Array<{ store: string; ok: boolean }>>([]);

  const show = (s: ServiceStatus) => {
    setStatus(s);
    setPort(String(s.port));
  };
  useEffect(() => {
    void call(api.service.status({}), setError).then((s) => s && show(s));
  }, []);

  const run = async (p: ReturnType<typeof api.service.status>, saved = true) => {
    setBusy(true);
    const s = await call(p, setError);
    setBusy(false);
    if (s) {
      show(s);
      if (saved) notify(t('saved'));
    }
    return s;
  };

  if (!status) return <ErrorBox error={error} />;
  const portValue = Number(port);
  const portOk = Number.isInteger(portValue) && portValue >= 1 && portValue <= 65535;

  return (
    <fieldset data-testid="service-settings" data-running={status.running ? 'yes' : 'no'}>
      <legend>{t('svcTitle')}</legend>
      <p className="muted small">{t('svcHint', { port: status.port })}</p>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <div className="row">
        <label className="check grow">
          <input type="checkbox" checked={status.enabled} disabled={busy} data-testid="service-enabled" onChange={(e) => void run(api.service.configure({ enabled: e.target.checked }))} />
          {t('svcEnable')}
        </label>
        <label>
          {t('svcPort')}
          <input type="number" min={1} max={65535} value={port} className="port" onChange={(e) => setPort(e.target.value)} data-testid="service-port" />
        </label>
        <button disabled={busy || !portOk || portValue === status.port} data-testid="service-port-save" onClick={() => void run(api.service.configure({ port: portValue }))}>
          {t('save')}
        </button>
      </div>
      <p className={`small ${status.running ? 'ok-text' : 'muted'}`} data-testid="service-state">
        {status.running ? t('svcRunning', { port: status.port }) : t('svcStopped')}
      </p>
      {status.enabled && !status.running && status.error && <ErrorBox error={status.error} />}

      <h3 className="sub">{t('svcOrigins')}</h3>
      <ul className="plain items">
        {status.origins.length === 0 && <li className="muted small">{t('svcNoOrigins')}</li>}
        {status.origins.map((o) => (
          <li key={o} data-testid="service-origin" data-origin={o}>
            <code>{o}</code>
            <button className="link" disabled={busy} onClick={() => void run(api.service.removeOrigin({ origin: o }))}>
              {t('remove')}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (origin.trim()) void run(api.service.addOrigin({ origin: origin.trim() })).then((s) => s && setOrigin(''));
        }}
      >
        <input className="grow" value={origin} placeholder={t('svcOriginPlaceholder')} onChange={(e) => setOrigin(e.target.value)} data-testid="service-origin-input" />
        <button type="submit" disabled={busy || !origin.trim()} data-testid="service-origin-add">
          {t('svcAddOrigin')}
        </button>
      </form>

      <h3 className="sub">{t('svcCa')}</h3>
      {status.ca ? (
        <p className="muted small" data-testid="service-ca">
          <code>{status.ca.path}</code> · SHA-256 {status.ca.sha256.slice(0, 16)}…
        </p>
      ) : (
        <p className="muted small">{t('svcCaNone')}</p>
      )}
      <div className="row">
        {(['install', 'remove'] as const).map((action) => (
          <button
            key={action}
            disabled={busy}
            data-testid={`service-ca-${action}`}
            onClick={async () => {
              setBusy(true);
              const r = await call(action === 'install' ? api.service.installCa({}) : api.service.removeCa({}), setError);
              setBusy(false);
              if (r) {
                show(r.status);
                setStores(r.stores);
              }
            }}
          >
            {action === 'install' ? t('svcCaInstall') : t('svcCaRemove')}
          </button>
        ))}
      </div>
      {stores.length > 0 && (
        <ul className="plain small" data-testid="service-ca-stores">
          {stores.map((s, i) => (
            <li key={i} className={s.ok ? 'ok-text' : 'muted'}>
              {s.ok ? t('svcCaDone', { store: s.store }) : t('svcCaSkipped', { store: s.store })}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
