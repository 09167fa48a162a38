// Small helpers of the screens: names of saved files, dates as a Vietnamese clerk writes them,
// and what a PNG says of its own size.

/** The name a signed copy is saved under: the original's, marked as signed. */
export function signedName(fileName: string): string {
  const stem = fileName.replace(/\.pdf$/i, '');
  return `${stem}.signed.pdf`;
}

const VN_OFFSET_MS = 7 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** dd/mm/yyyy hh:mm in Vietnam time (UTC+7), whatever the machine's zone. */
export function vnDateTime(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—';
  const d = new Date(new Date(iso).getTime() + VN_OFFSET_MS);
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : date;
}

/** hh:mm:ss in Vietnam time. */
export function vnTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + VN_OFFSET_MS);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A YYYY-MM-DD date as dd/mm/yyyy. */
export function vnDate(ymd: string | null): string {
  if (!ymd) return '—';
  const [y, m, d] = ymd.split('-');
  return `${d}/${m}/${y}`;
}

/** Today in Vietnam, YYYY-MM-DD. */
export function vnToday(): string {
  return new Date(Date.now() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whole days left until an instant, counting a started day (0.2 days left = 1 day). */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.ceil((new Date(iso).getTime() - now) / 86_400_000);
}

export interface PngInfo {
  width: number;
  height: number;
  /** Pixels per inch from the pHYs chunk, when the image states its printed size. */
  dpi: number | null;
}

/** What Kyso said of the images it serves by URL (Settings' images), so they are sized before they load. */
const served = new Map<string, PngInfo>();
export function rememberPngInfo(url: string, info: PngInfo): void {
  served.set(url, { width: info.width, height: info.height, dpi: info.dpi });
}

/** Width, height and resolution of a PNG: one served by URL (as remembered), or a data: URI (reads the header chunks only). */
export function pngInfo(dataUri: string): PngInfo | null {
  const known = served.get(dataUri);
  if (known) return known;
  if (!dataUri.startsWith('data:')) return null;
  const b64 = dataUri.slice(dataUri.indexOf(',') + 1);
  // IHDR and pHYs come before the image data; 4 kB of the file is plenty.
  const head = atob(b64.slice(0, 5464)); // a multiple of 4 characters: whole bytes
  const bytes = Uint8Array.from(head, (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  if (bytes.length < 33 || view.getUint32(0) !== 0x89504e47) return null;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  let dpi: number | null = null;
  for (let p = 8; p + 12 <= bytes.length; ) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === 'pHYs' && p + 17 <= bytes.length && bytes[p + 16] === 1) {
      dpi = Math.round(view.getUint32(p + 8) * 0.0254 * 100) / 100;
      break;
    }
    if (type === 'IDAT') break;
    p += 12 + len;
  }
  return { width, height, dpi };
}
