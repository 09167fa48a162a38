// PDF/A before the first signature (converting afterwards would break every signature): scans go
// through Ghostscript's PDF/A-2b writer, with an OCR text layer first when the scan has no text
// and tesseract (with the Vietnamese model) is installed; Office drafts through LibreOffice's
// PDF/A-2 export (office.ts). The result is checked for the markers an archive looks for: the XMP
// pdfaid identification, an output intent with its ICC profile, and every font embedded; what is
// missing is said, not hidden.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { PdfDict, PdfStream, isArray, type PdfObject } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';

export interface PdfACheck {
  ok: boolean;
  part?: number;
  conformance?: string;
  /** What an archive would miss, in words. */
  missing: string[];
  /** Pages with extractable text (a scan without OCR has none). */
  hasText: boolean;
}

const MAX_FONTS = 2000;

function fontEmbedded(r: PdfReader, font: PdfDict): boolean {
  const sub = font.name('Subtype');
  if (sub === 'Type3') return true; // glyphs are content streams
  if (sub === 'Type0') {
    const desc = r.resolve(font.get('DescendantFonts'));
    const first = isArray(desc) ? r.resolveDict(desc[0]) : undefined;
    return first ? fontEmbedded(r, first) : false;
  }
  const fd = r.resolveDict(font.get('FontDescriptor'));
  return Boolean(fd && (fd.has('FontFile') || fd.has('FontFile2') || fd.has('FontFile3')));
}

/** Reads the PDF/A markers of a file. */
export function checkPdfA(path: string): PdfACheck {
  const r = PdfReader.open(path);
  const missing: string[] = [];
  let part: number | undefined;
  let conformance: string | undefined;
  let hasText = false;
  try {
    const cat = r.catalog();
    const meta = r.resolve(cat.get('Metadata'));
    if (meta instanceof PdfStream) {
      const xmp = r.streamData(meta).toString('utf8');
      const p = /pdfaid:part\s*=\s*["'](\d)["']|<pdfaid:part>\s*(\d)\s*</.exec(xmp);
      const c = /pdfaid:conformance\s*=\s*["']([ABUabu])["']|<pdfaid:conformance>\s*([ABUabu])\s*</.exec(xmp);
      part = p ? Number(p[1] ?? p[2]) : undefined;
      conformance = c ? (c[1] ?? c[2])!.toUpperCase() : undefined;
      if (!part) missing.push('XMP metadata without pdfaid:part (no PDF/A identification)');
      if (!conformance) missing.push('XMP metadata without pdfaid:conformance');
    } else missing.push('no XMP metadata stream (catalog /Metadata)');
    const intents = r.resolve(cat.get('OutputIntents'));
    const pdfaIntent = isArray(intents)
      ? intents.map((i) => r.resolveDict(i)).find((d) => d?.name('S') === 'GTS_PDFA1')
      : undefined;
    if (!pdfaIntent) missing.push('no PDF/A output intent (/OutputIntents with /S /GTS_PDFA1)');
    else if (!(r.resolve(pdfaIntent.get('DestOutputProfile')) instanceof PdfStream)) missing.push('the output intent has no ICC profile (/DestOutputProfile)');
    const unembedded = new Set<string>();
    let seen = 0;
    for (const page of r.pages()) {
      const res = r.resolveDict(page.dict.get('Resources'));
      const fonts = r.resolveDict(res?.get('Font'));
      if (fonts && fonts.keys().length) hasText = true;
      for (const k of fonts?.keys() ?? []) {
        if (++seen > MAX_FONTS) break;
        const f = r.resolveDict(fonts!.get(k) as PdfObject);
        if (f && !fontEmbedded(r, f)) unembedded.add(f.name('BaseFont') ?? k);
      }
    }
    if (unembedded.size) missing.push(`fonts not embedded: ${[...unembedded].slice(0, 10).join(', ')}`);
  } finally {
    r.close();
  }
  return { ok: missing.length === 0 && part !== undefined, part, conformance, missing, hasText };
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    child.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, output: out });
    });
  });
}

function findTool(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  return undefined;
}

/** Whether OCR can be done here: tesseract with the Vietnamese model. */
export function ocrAvailable(): boolean {
  const t = findTool(['tesseract']);
  if (!t) return false;
  return ['/usr/share/tesseract-ocr/5/tessdata/vie.traineddata', '/usr/share/tesseract-ocr/4.00/tessdata/vie.traineddata'].some(existsSync);
}

/** The OCR'd two-layer PDF (page images with invisible text) of a scan, made page by page. */
async function ocrPdf(input: string, work: string, gs: string): Promise<string> {
  const tesseract = findTool(['tesseract'])!;
  const r = await run(gs, ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=png16m', '-r200', `-sOutputFile=${join(work, 'page-%04d.png')}`, input], 600_000);
  if (r.code !== 0) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: `rendering pages: ${r.output.trim().slice(-200)}` });
  const pages = readdirSync(work).filter((f) => /^page-\d+\.png$/.test(f)).sort();
  const parts: string[] = [];
  for (const p of pages) {
    const base = join(work, p.replace(/\.png$/, ''));
    const t = await run(tesseract, [join(work, p), base, '-l', 'vie', '--dpi', '200', 'pdf'], 600_000);
    if (t.code !== 0) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: `OCR: ${t.output.trim().slice(-200)}` });
    parts.push(`${base}.pdf`);
  }
  const merged = join(work, 'ocr.pdf');
  const m = await run(gs, ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${merged}`, ...parts], 600_000);
  if (m.code !== 0) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: `merging OCR pages: ${m.output.trim().slice(-200)}` });
  return merged;
}

export interface PdfAConversion {
  output: string;
  check: PdfACheck;
  ocr: 'done' | 'not-needed' | 'unavailable';
}

/**
 * Converts a PDF (a scan, usually) to PDF/A-2b with Ghostscript, into `output`. When the file has
 * no text and OCR is available, the text layer is added first.
 */
export async function convertPdfToPdfA(input: string, output: string): Promise<PdfAConversion> {
  const gs = findTool(['gs']);
  if (!gs) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: 'Ghostscript (gs) is not installed' });
  const work = mkdtempSync(join(tmpdir(), 'kyso-pdfa-'));
  try {
    const before = checkPdfA(input);
    let source = input;
    let ocr: PdfAConversion['ocr'] = before.hasText ? 'not-needed' : 'unavailable';
    if (!before.hasText && ocrAvailable()) {
      source = await ocrPdf(input, work, gs);
      ocr = 'done';
    }
    const icc = findIccProfile();
    if (!icc) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: "no sRGB ICC profile found for the output intent (Ghostscript's iccprofiles)" });
    const def = join(work, 'pdfa-def.ps');
    writeFileSync(def, outputIntentPostScript(icc));
    const r = await run(
      gs,
      ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', `--permit-file-read=${icc}`, '-dPDFA=2', '-dPDFACompatibilityPolicy=1', '-sColorConversionStrategy=RGB',
        '-sProcessColorModel=DeviceRGB', '-sDEVICE=pdfwrite', `-sOutputFile=${output}`, def, source],
      600_000,
    );
    if (r.code !== 0 || !existsSync(output)) throw new KysoError('PDFA_CONVERSION_FAILED', { file: basename(input), reason: r.output.trim().slice(-200) || `exit ${r.code}` });
    return { output, check: checkPdfA(output), ocr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Ghostscript's sRGB profile (Debian: /usr/share/ghostscript/VERSION/iccprofiles). */
function findIccProfile(): string | undefined {
  const root = '/usr/share/ghostscript';
  if (!existsSync(root)) return undefined;
  for (const v of readdirSync(root).sort().reverse()) {
    for (const name of ['srgb.icc', 'default_rgb.icc']) {
      const p = join(root, v, 'iccprofiles', name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** PostScript that makes Ghostscript write the PDF/A output intent with the ICC profile (pdfmark). */
function outputIntentPostScript(icc: string): string {
  const ps = (s: string): string => s.replace(/[\\()]/g, (c) => `\\${c}`);
  return [
    '%!',
    `/KysoICC (${ps(icc)}) def`,
    '[/_objdef {kyso_icc} /type /stream /OBJ pdfmark',
    '[{kyso_icc} << /N 3 >> /PUT pdfmark',
    '[{kyso_icc} KysoICC (r) file /PUT pdfmark',
    '[/_objdef {kyso_intent} /type /dict /OBJ pdfmark',
    '[{kyso_intent} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {kyso_icc} /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1) >> /PUT pdfmark',
    '[{Catalog} << /OutputIntents [ {kyso_intent} ] >> /PUT pdfmark',
    '',
  ].join('\n');
}
