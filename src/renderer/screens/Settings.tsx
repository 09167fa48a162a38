// Cài đặt: the token driver and PIN tries, trusted roots and revocation lists, images per person,
// the placement preset, the language.
import { useEffect, useState } from 'react';
import type { FileKind, FileRef, ImageKind, Settings } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useT, type Lang } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { FileChooser } from '../components/FileChooser.js';
import { ServiceSettings } from '../components/ServiceSettings.js';
import { fileUrl } from '../files.js';
import { vnDateTime } from '../util.js';

type SettingsCall = Promise<Awaited<ReturnType<typeof api.settings.get>>>;

/** A settings file (certificate, CRL, image): sent to Kyso, then named in the call by `use`. */
function FileButton({ label, kind, accept, testId, disabled, onFile, onError }: { label: string; kind: FileKind; accept: string; testId: string; disabled?: boolean; onFile: (f: FileRef) => void; onError: (e: ErrorPayload) => void }) {
  return (
    <FileChooser
      kind={kind}
      accept={accept}
      testId={testId}
      disabled={disabled}
      className={`button ${disabled ? 'disabled' : ''}`}
      onError={onError}
      onChoose={([c]) => {
        void c?.uploaded.then((r) => (r.ok ? onFile({ name: r.value.name, sha256: r.value.sha256 }) : onError(r.error)));
      }}
    >
      <Icon name="upload" size={16} /> {label}
    </FileChooser>
  );
}

export function SettingsScreen({ onLanguage }: { onLanguage: (l: Lang) => void }) {
  const { t, lang } = useT();
  const { settings, setSettings, tokens, notify, refreshTokens } = useShared();
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [driver, setDriver] = useState('');
  const [pinLockAfter, setPinLockAfter] = useState('');
  const [person, setPerson] = useState('');
  const [kind, setKind] = useState<ImageKind>('signature');

  useEffect(() => setDriver(settings?.modulePath ?? ''), [settings?.modulePath]);
  useEffect(() => setPinLockAfter(settings?.pinLockAfter?.toString() ?? ''), [settings?.pinLockAfter]);
  useEffect(() => {
    if (!person && tokens?.tokens[0]) setPerson(tokens.tokens[0].label);
  }, [tokens, person]);
  if (!settings) return <p className="busy">{t('loading')}</p>;

  const apply = async (p: SettingsCall, after?: (s: Settings) => void) => {
    const s = await call(p, setError);
    if (s) {
      setSettings(s);
      notify(t('saved'));
      after?.(s);
    }
  };
  const people = [...new Set([...(tokens?.tokens.map((x) => x.label) ?? []), ...settings.images.map((i) => i.person)])].sort();
  const imagesOf = (p: string) => settings.images.filter((i) => i.person === p);

  return (
    <section className="screen" data-testid="screen-settings">
      <header className="screen-head">
        <div>
          <h1>{t('navSettings')}</h1>
          <p className="screen-sub">{t('settingsSub')}</p>
        </div>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <div className="settings-grid">
        <div className="settings-col">
          <fieldset>
            <legend>{t('driverPath')}</legend>
            <div className="row">
              <label className="grow">
                {t('driverFile')}
                <input value={driver} placeholder={t('driverAuto')} onChange={(e) => setDriver(e.target.value)} data-testid="driver-path" />
              </label>
              <button onClick={() => void apply(api.settings.update({ modulePath: driver.trim() || null }), () => void refreshTokens(true))} data-testid="driver-save">
                {t('save')}
              </button>
            </div>
            <p className="muted small">
              {t('driverInUse')}: <code>{tokens?.module ?? '—'}</code>
            </p>
            <div className="row">
              <label className="grow">
                {t('pinLockAfterLabel')}
                <input type="number" min={1} max={99} value={pinLockAfter} placeholder={t('pinLockAfterUnknown')} onChange={(e) => setPinLockAfter(e.target.value)} data-testid="pin-lock-after" />
              </label>
              <button
                data-testid="pin-lock-save"
                onClick={() => void apply(api.settings.update({ pinLockAfter: pinLockAfter.trim() ? Number(pinLockAfter) : null }), () => void refreshTokens())}
              >
                {t('save')}
              </button>
            </div>
            <p className="muted small">{t('pinLockAfterHint')}</p>
          </fieldset>
          <fieldset>
            <legend>{t('trustAnchors')}</legend>
            <ul className="plain items">
              {settings.trustAnchors.length === 0 && <li className="muted">{t('noTrustAnchors')}</li>}
              {settings.trustAnchors.map((a) => (
                <li key={a.source + a.name + a.subject} data-testid="trust-anchor">
                  <div>
                    <strong>{/CN=([^,]+)/.exec(a.subject)?.[1] ?? a.subject}</strong>
                    <div className="muted small">
                      {a.name} · {t('validUntil')} {vnDateTime(a.notAfter, false)}
                      {a.source === 'environment' && ` · ${t('fromEnvironment')}`}
                    </div>
                  </div>
                  {a.source === 'settings' && (
                    <button className="link" onClick={() => void apply(api.settings.removeTrustAnchor({ name: a.name }))}>
                      {t('remove')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <FileButton label={t('addTrust')} accept=".pem,.cer,.crt,.der" kind="certificate" testId="trust-file" onError={setError} onFile={(file) => void apply(api.settings.addTrustAnchor({ file }))} />
          </fieldset>

          <fieldset>
            <legend>{t('catalogue')}</legend>
            <ul className="plain items">
              {settings.catalogue.map((c) => (
                <li key={c.id} data-testid="catalogue-entry" data-trusted={c.trusted ? 'yes' : 'no'}>
                  <div>
                    <strong>{c.name}</strong>
                    <div className="muted small">
                      {c.kind === 'root' ? t('catalogueRoot') : t('catalogueSubCa')} · SHA-256 {c.sha256.slice(0, 16)}…{c.trusted && ` · ${t('catalogueTrusted')}`}
                    </div>
                  </div>
                  {!c.trusted && (
                    <button className="link" data-testid="catalogue-fetch" onClick={() => void apply(api.settings.trustCatalogue({ id: c.id }))}>
                      {t('catalogueFetch')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <p className="muted small">{t('catalogueHint')}</p>
          </fieldset>

          <fieldset>
            <legend>{t('crls')}</legend>
            <ul className="plain items">
              {settings.crls.length === 0 && <li className="muted">{t('noCrls')}</li>}
              {settings.crls.map((c) => (
                <li key={c.name} data-testid="crl">
                  <div>
                    <strong>{c.name}</strong> <span className="muted small">({(c.size / 1024).toFixed(1)} kB)</span>
                  </div>
                  <button className="link" onClick={() => void apply(api.settings.removeCrl({ name: c.name }))}>
                    {t('remove')}
                  </button>
                </li>
              ))}
            </ul>
            <FileButton label={t('addCrl')} accept=".crl,.pem,.der" kind="crl" testId="crl-file" onError={setError} onFile={(file) => void apply(api.settings.addCrl({ file }))} />
            <label className="check">
              <input type="checkbox" checked={settings.onlineRevocation} onChange={(e) => void apply(api.settings.update({ onlineRevocation: e.target.checked }))} data-testid="online-revocation" />
              {t('online')}
            </label>
          </fieldset>
        </div>
        <div className="settings-col">
          <fieldset>
            <legend>{t('imagesPerPerson')}</legend>
            <p className="muted small">{t('imagesHint')}</p>
            <div className="row">
              <label>
                {t('person')}
                <input list="people" value={person} onChange={(e) => setPerson(e.target.value)} data-testid="image-person" />
                <datalist id="people">
                  {people.map((p) => (
                    <option key={p} value={p} />
                  ))}
                </datalist>
              </label>
              <label>
                {t('kind')}
                <select value={kind} onChange={(e) => setKind(e.target.value as ImageKind)} data-testid="image-kind">
                  <option value="signature">{t('img_signature')}</option>
                  <option value="seal">{t('img_seal')}</option>
                  <option value="initials">{t('img_initials')}</option>
                </select>
              </label>
              <FileButton label={t('uploadImage')} accept="image/png,.png" kind="png" testId="image-file" onError={setError} disabled={!person.trim()} onFile={(file) => void apply(api.settings.setImage({ person: person.trim(), kind, file }))} />
            </div>
            <div className="people">
              {people.filter((p) => imagesOf(p).length > 0).length === 0 && <p className="muted">{t('noImages')}</p>}
              {people
                .filter((p) => imagesOf(p).length > 0)
                .map((p) => (
                  <div key={p} className="person" data-testid="person-images" data-person={p}>
                    <h3>{p}</h3>
                    <div className="thumbs">
                      {imagesOf(p).map((i) => (
                        <figure key={i.kind} className="thumb">
                          <img src={fileUrl(i.sha256)} alt="" />
                          <figcaption>
                            {t(`img_${i.kind}`)}{' '}
                            <button className="link" onClick={() => void apply(api.settings.removeImage({ person: p, kind: i.kind }))}>
                              {t('remove')}
                            </button>
                          </figcaption>
                        </figure>
                      ))}
                    </div>
                  </div>
                ))}
            </div>
          </fieldset>
          <ServiceSettings />
          <fieldset>
            <legend>{t('appearanceAndLanguage')}</legend>
            <label>
              {t('preset')}
              <select value={settings.preset} onChange={(e) => void apply(api.settings.update({ preset: e.target.value }))} data-testid="preset-select">
                {settings.presets.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.label}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted small">{t('presetHint')}</p>
            <label>
              {t('language')}
              <select value={lang} onChange={(e) => onLanguage(e.target.value as Lang)} data-testid="language-select">
                <option value="vi">Tiếng Việt</option>
                <option value="en">English</option>
              </select>
            </label>
          </fieldset>
        </div>
      </div>
    </section>
  );
}
