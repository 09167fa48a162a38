// The renderer's one API object, the same on both transports: in Electron the preload exposes it
// (window.kyso); in the browser it is made here over HTTP, from the same contract.
import { makeApi, type CallName, type KysoApi, type Result } from '../shared/contract.js';

declare global {
  interface Window {
    kyso?: KysoApi;
  }
}

const KEY_STORAGE = 'kyso.key';

/** The web mode's access key: from the address the server printed, then kept for reloads of this tab. */
function accessKey(): string {
  const fromUrl = new URLSearchParams(location.search).get('key');
  if (fromUrl) {
    sessionStorage.setItem(KEY_STORAGE, fromUrl);
    // Out of the address bar (and of screenshots and history).
    history.replaceState(null, '', location.pathname);
    return fromUrl;
  }
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

/** This tab's access key in web mode ('' in the desktop app, whose page needs none). */
export const webKey: string = window.kyso ? '' : accessKey();

function httpApi(): KysoApi {
  const key = webKey;
  return makeApi(async (name: CallName, input: unknown): Promise<Result<unknown>> => {
    let res: Response;
    try {
      res = await fetch(`/api/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': key },
        body: JSON.stringify(input),
      });
    } catch (e) {
      return { ok: false, error: { code: 'INTERNAL', details: { reason: `Kyso server unreachable (${(e as Error).message})` } } };
    }
    return (await res.json()) as Result<unknown>;
  });
}

export const api: KysoApi = window.kyso ?? httpApi();
export const transport: 'electron' | 'web' = window.kyso ? 'electron' : 'web';
