// Entry of the renderer: asks the settings for the language, then shows the app.
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { api } from './api.js';
import './styles.css';
import './exchange.css';

async function start(): Promise<void> {
  const s = await api.settings.get({});
  const lang = s.ok ? s.value.language : 'vi';
  document.documentElement.lang = lang;
  createRoot(document.getElementById('root')!).render(<App initialLang={lang} />);
}

void start();
