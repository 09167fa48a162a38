// Office attachments (.docx, .xlsx, .pptx, .doc, .xls) become PDF with LibreOffice headless
// before the organisation signs them (the first way the rules allow). Each conversion runs with a
// private, throw-away LibreOffice profile, so it neither waits for nor disturbs a LibreOffice the
// person has open.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KysoError } from '../../shared/errors.js';

export const OFFICE_EXTENSIONS = ['.docx', '.xlsx', '.pptx', '.doc', '.xls'] as const;

export function isOfficeFile(name: string): boolean {
  return (OFFICE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** The LibreOffice program: $KYSO_SOFFICE, else soffice on the PATH or where Debian installs it. */
export function findSoffice(): string | undefined {
  if (process.env.KYSO_SOFFICE) return existsSync(process.env.KYSO_SOFFICE) ? process.env.KYSO_SOFFICE : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, process.platform === 'win32' ? 'soffice.exe' : 'soffice');
    if (existsSync(p)) return p;
  }
  for (const p of ['/usr/lib/libreoffice/program/soffice', '/opt/libreoffice/program/soffice', '/Applications/LibreOffice.app/Contents/MacOS/soffice'])
    if (existsSync(p)) return p;
  return undefined;
}

/**
 * Converts an Office file to PDF in outDir; returns the PDF's path. OFFICE_CONVERTER_MISSING when
 * LibreOffice is not installed, OFFICE_CONVERSION_FAILED when it cannot convert the file.
 */
export async function convertToPdf(input: string, outDir: string, timeoutMs = 180_000, opts: { pdfa?: boolean } = {}): Promise<string> {
  const name = basename(input);
  const soffice = findSoffice();
  if (!soffice) throw new KysoError('OFFICE_CONVERTER_MISSING', { file: name });
  const profile = mkdtempSync(join(tmpdir(), 'kyso-lo-'));
  try {
    const args = [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--norestore', '--nolockcheck', '--convert-to', opts.pdfa ? pdfaFilter(input) : 'pdf', '--outdir', outDir, input];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((res, rej) => {
      const child = spawn(soffice, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: profile } });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        res({ code: c, output: out });
      });
    });
    const pdf = join(outDir, `${basename(input, extname(input))}.pdf`);
    if (code !== 0 || !existsSync(pdf)) {
      const reason = output.split('\n').filter((l) => l.trim() && !/javaldx|java may not/i.test(l)).slice(-2).join(' ').slice(0, 200) || `exit ${code}`;
      throw new KysoError('OFFICE_CONVERSION_FAILED', { file: name, reason });
    }
    return pdf;
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError('OFFICE_CONVERSION_FAILED', { file: name, reason: (e as Error).message }, { cause: e });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** LibreOffice's PDF export asked for PDF/A-2 (SelectPdfVersion 2), with the filter of the file's application. */
function pdfaFilter(input: string): string {
  const ext = extname(input).toLowerCase();
  const filter = ext === '.xlsx' || ext === '.xls' ? 'calc_pdf_Export' : ext === '.pptx' ? 'impress_pdf_Export' : 'writer_pdf_Export';
  return `pdf:${filter}:${JSON.stringify({ SelectPdfVersion: { type: 'long', value: '2' }, UseTaggedPDF: { type: 'boolean', value: 'true' } })}`;
}
