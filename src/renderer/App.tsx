// The window: the six screens in a sidebar, the language switch, and a notice line for what just
// happened (signed, received, a token plugged in or pulled out).
import { useEffect, useState } from 'react';
import { api, transport } from './api.js';
import { LangContext, text, useT, type Lang, type TextKey } from './i18n.js';
import { Icon, type IconName } from './icons.js';
import { ServiceRequests } from './components/ServiceRequests.js';
import { SharedProvider, useShared } from './state.js';
import { ArchiveScreen } from './screens/Archive.js';
import { BooksScreen } from './screens/Books.js';
import { InboxScreen } from './screens/Inbox.js';
import { OutboxScreen } from './screens/Outbox.js';
import { SettingsScreen } from './screens/Settings.js';
import { SignScreen } from './screens/Sign.js';
import { TokensScreen } from './screens/Tokens.js';
import { AddressBookScreen } from './screens/AddressBook.js';
import { ExchangeScreen } from './screens/Exchange.js';
import { useXT, type XKey } from './i18n-exchange.js';

const SCREENS = [
  { id: 'sign', label: 'navSign', icon: 'sign' },
  { id: 'inbox', label: 'navInbox', icon: 'inbox' },
  { id: 'outbox', label: 'navOutbox', icon: 'outbox' },
  { id: 'exchange', label: 'navExchange', icon: 'refresh' },
  { id: 'addressbook', label: 'navAddressBook', icon: 'search' },
  { id: 'archive', label: 'navArchive', icon: 'archive' },
  { id: 'books', label: 'navBooks', icon: 'folder' },
  { id: 'tokens', label: 'navTokens', icon: 'token' },
  { id: 'settings', label: 'navSettings', icon: 'settings' },
] as const satisfies readonly { id: string; label: TextKey | XKey; icon: IconName }[];
type ScreenId = (typeof SCREENS)[number]['id'];

const NOTICE_MS = 8000;

function Notice() {
  const { notice, notify } = useShared();
  const { t } = useT();
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => notify(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, notify]);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.tone}`} role="status" aria-live="polite" data-testid="notice" data-tone={notice.tone}>
      <Icon name={notice.tone === 'ok' ? 'check' : notice.tone === 'warn' ? 'warning' : 'token'} />
      <span>{notice.text}</span>
      <button className="link" onClick={() => notify(null)} aria-label={t('close')}>
        <Icon name="cross" size={14} />
      </button>
    </div>
  );
}

function Shell({ onLanguage }: { onLanguage: (l: Lang) => void }) {
  const { t, lang, x } = useXT();
  const label = (k: TextKey | XKey): string => (k === 'navExchange' || k === 'navAddressBook' ? x(k) : t(k as TextKey));
  const [screen, setScreen] = useState<ScreenId>('sign');
  const { tokens } = useShared();
  return (
    <div className="app">
      <nav className="sidebar" aria-label={t('appName')}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            <Icon name="sign" size={20} />
          </span>
          <span>
            <span className="brand-name">{t('appName')}</span>
            <span className="brand-tag">{t('tagline')}</span>
          </span>
        </div>
        {SCREENS.map((s) => (
          <button key={s.id} className={`nav ${screen === s.id ? 'active' : ''}`} onClick={() => setScreen(s.id)} data-testid={`nav-${s.id}`} aria-current={screen === s.id ? 'page' : undefined}>
            <Icon name={s.icon} />
            <span>{label(s.label)}</span>
            {s.id === 'tokens' && tokens && <span className="nav-count">{tokens.tokens.length}</span>}
          </button>
        ))}
        <div className="sidebar-foot">
          <div className="lang-switch" role="group" aria-label={t('language')}>
            {(['vi', 'en'] as const).map((l) => (
              <button key={l} className={lang === l ? 'active' : ''} data-testid={`lang-${l}`} onClick={() => onLanguage(l)} aria-pressed={lang === l}>
                {l === 'vi' ? 'Tiếng Việt' : 'English'}
              </button>
            ))}
          </div>
          <div className="mode small">{transport === 'web' ? t('modeWeb') : t('modeDesktop')}</div>
        </div>
      </nav>
      <main className="content">
        <Notice />
        {/* The signing service's questions (issue 16), over whichever screen is open. */}
        <ServiceRequests />
        {screen === 'sign' && <SignScreen />}
        {screen === 'inbox' && <InboxScreen />}
        {screen === 'outbox' && <OutboxScreen />}
        {screen === 'exchange' && <ExchangeScreen />}
        {screen === 'addressbook' && <AddressBookScreen />}
        {screen === 'archive' && <ArchiveScreen />}
        {screen === 'books' && <BooksScreen />}
        {screen === 'tokens' && <TokensScreen />}
        {screen === 'settings' && <SettingsScreen onLanguage={onLanguage} />}
      </main>
    </div>
  );
}

function LanguageBridge({ setLang }: { setLang: (l: Lang) => void }) {
  const { setSettings } = useShared();
  const change = async (l: Lang) => {
    setLang(l);
    document.documentElement.lang = l;
    const r = await api.settings.update({ language: l });
    if (r.ok) setSettings(r.value);
  };
  return <Shell onLanguage={(l) => void change(l)} />;
}

export function App({ initialLang }: { initialLang: Lang }) {
  const [lang, setLang] = useState<Lang>(initialLang);
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <SharedProvider
        tokenNotice={(added, removed) =>
          [...added.map((l) => text(lang, 'tokenAppeared', { label: l })), ...removed.map((l) => text(lang, 'tokenGone', { label: l }))].join(' ')
        }
      >
        <LanguageBridge setLang={setLang} />
      </SharedProvider>
    </LangContext.Provider>
  );
}
