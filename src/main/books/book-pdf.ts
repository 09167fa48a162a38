// A printable book as a NEW PDF (pdf-lib + fontkit; never used on a signed file): landscape A4,
// a cover (organisation, title, year or period), then sections of tables whose cells wrap and
// whose header repeats on each page, optional bar charts, and page numbers. Text is set in the
// shipped Liberation Serif, subset with a ToUnicode map, so pdftotext reads the Vietnamese back.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { readFileSync } from 'node:fs';
import { assetPath } from '../appearance/assets.js';

export interface BookTable {
  heading?: string;
  columns: Array<{ label: string; width: number }>;
  rows: string[][];
  /** Said instead of an empty table. */
  empty?: string;
}

export interface BookChart {
  heading: string;
  /** Bars in groups: each group a label with one value per series. */
  series: string[];
  groups: Array<{ label: string; values: number[] }>;
}

export interface BookSection {
  heading?: string;
  lines?: string[];
  tables?: BookTable[];
  chart?: BookChart;
}

export interface Book {
  title: string;
  organisation: string;
  /** Under the title on the cover: "Năm 2026", "Từ ngày … đến ngày …". */
  subtitle: string[];
  sections: BookSection[];
  /** The page footer's label before the number ("Trang"). */
  pageLabel?: string;
  docTitle: string;
}

const PAGE: [number, number] = [841.89, 595.28];
const MARGIN = { left: 42, right: 30, top: 36, bottom: 40 };
const SIZE = 9;
const LEADING = 1.2;
const SERIES_COLOURS = [rgb(0.16, 0.35, 0.65), rgb(0.8, 0.35, 0.1), rgb(0.3, 0.6, 0.3), rgb(0.55, 0.25, 0.55)];

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const cand = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(cand, size) <= width) {
        line = cand;
        continue;
      }
      if (line) out.push(line);
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    out.push(line);
  }
  return out.length ? out : [''];
}

class Writer {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];
  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {}

  newPage(): void {
    this.page = this.doc.addPage(PAGE);
    this.pages.push(this.page);
    this.y = PAGE[1] - MARGIN.top;
  }

  get width(): number {
    return PAGE[0] - MARGIN.left - MARGIN.right;
  }

  need(h: number): boolean {
    return this.y - h >= MARGIN.bottom;
  }

  text(s: string, o: { size?: number; bold?: boolean; x?: number; centre?: boolean } = {}): void {
    const size = o.size ?? SIZE;
    const font = o.bold ? this.bold : this.regular;
    for (const line of wrap(font, s, size, this.width)) {
      if (!this.need(size * LEADING)) this.newPage();
      this.y -= size * LEADING;
      const w = font.widthOfTextAtSize(line, size);
      const x = o.centre ? MARGIN.left + (this.width - w) / 2 : MARGIN.left + (o.x ?? 0);
      this.page.drawText(line, { x, y: this.y + 0.22 * size, size, font, color: rgb(0, 0, 0) });
    }
  }

  gap(h: number): void {
    this.y -= h;
  }

  table(t: BookTable): void {
    const total = t.columns.reduce((a, c) => a + c.width, 0);
    const widths = t.columns.map((c) => (c.width / total) * this.width);
    const pad = 2.5;
    const layout = (cells: string[], font: PDFFont): { lines: string[][]; height: number } => {
      const lines = cells.map((c, i) => wrap(font, c ?? '', SIZE, widths[i]! - 2 * pad));
      return { lines, height: Math.max(...lines.map((l) => l.length)) * SIZE * LEADING + 2 * pad };
    };
    const drawRow = (cells: string[], font: PDFFont, shade: boolean): void => {
      const { lines, height } = layout(cells, font);
      let x = MARGIN.left;
      if (shade) this.page.drawRectangle({ x, y: this.y - height, width: this.width, height, color: rgb(0.92, 0.92, 0.92) });
      lines.forEach((ls, i) => {
        const w = widths[i]!;
        this.page.drawRectangle({ x, y: this.y - height, width: w, height, borderColor: rgb(0, 0, 0), borderWidth: 0.5 });
        ls.forEach((l, k) => this.page.drawText(l, { x: x + pad, y: this.y - pad - (k + 1) * SIZE * LEADING + 0.25 * SIZE, size: SIZE, font, color: rgb(0, 0, 0) }));
        x += w;
      });
      this.y -= height;
    };
    const header = t.columns.map((c) => c.label);
    const numbers = t.columns.map((_, i) => `(${i + 1})`);
    const head = (): void => {
      drawRow(header, this.bold, true);
      drawRow(numbers, this.regular, false);
    };
    const headHeight = layout(header, this.bold).height + layout(numbers, this.regular).height;
    if (!this.need(headHeight + 20)) this.newPage();
    head();
    if (!t.rows.length) {
      drawRow([t.empty ?? '—', ...t.columns.slice(1).map(() => '')], this.regular, false);
      return;
    }
    for (const r of t.rows) {
      const h = layout(r, this.regular).height;
      if (!this.need(h)) {
        this.newPage();
        head();
      }
      drawRow(r, this.regular, false);
    }
  }

  chart(c: BookChart): void {
    const h = 170;
    if (!this.need(h + 30)) this.newPage();
    this.text(c.heading, { bold: true, size: 10 });
    this.gap(6);
    const max = Math.max(1, ...c.groups.flatMap((g) => g.values));
    const axisX = MARGIN.left + 30;
    const base = this.y - h + 20;
    const plotH = h - 40;
    const groupW = Math.min(90, (this.width - 200) / Math.max(1, c.groups.length));
    const barW = (groupW - 10) / Math.max(1, c.series.length);
    this.page.drawLine({ start: { x: axisX, y: base }, end: { x: axisX + c.groups.length * groupW + 10, y: base }, thickness: 0.6 });
    this.page.drawLine({ start: { x: axisX, y: base }, end: { x: axisX, y: base + plotH }, thickness: 0.6 });
    for (const v of [0, Math.round(max / 2), max]) {
      const y = base + (v / max) * plotH;
      this.page.drawText(String(v), { x: axisX - 4 - this.regular.widthOfTextAtSize(String(v), 8), y: y - 3, size: 8, font: this.regular });
    }
    c.groups.forEach((g, gi) => {
      const gx = axisX + 6 + gi * groupW;
      g.values.forEach((v, si) => {
        const bh = (v / max) * plotH;
        this.page.drawRectangle({ x: gx + si * barW, y: base, width: barW - 2, height: bh, color: SERIES_COLOURS[si % SERIES_COLOURS.length]! });
        if (v > 0) this.page.drawText(String(v), { x: gx + si * barW + 1, y: base + bh + 2, size: 7, font: this.regular });
      });
      const label = wrap(this.regular, g.label, 7.5, groupW - 4);
      label.slice(0, 2).forEach((l, k) => this.page.drawText(l, { x: gx, y: base - 10 - k * 9, size: 7.5, font: this.regular }));
    });
    // The legend at the right.
    const lx = axisX + c.groups.length * groupW + 30;
    c.series.forEach((s, si) => {
      const y = base + plotH - si * 14;
      this.page.drawRectangle({ x: lx, y, width: 9, height: 9, color: SERIES_COLOURS[si % SERIES_COLOURS.length]! });
      this.page.drawText(s, { x: lx + 13, y: y + 1, size: 8.5, font: this.regular });
    });
    this.y = base - 30;
  }
}

/** Renders the book; returns the PDF's bytes. */
export async function renderBookPdf(b: Book, at: Date): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(readFileSync(assetPath('fonts', 'LiberationSerif-Regular.ttf')), { subset: true });
  const bold = await doc.embedFont(readFileSync(assetPath('fonts', 'LiberationSerif-Bold.ttf')), { subset: true });
  doc.setTitle(b.docTitle);
  doc.setProducer('Kyso');
  doc.setCreator('Kyso');
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  doc.setLanguage('vi-VN');
  const w = new Writer(doc, regular, bold);

  // The cover.
  w.newPage();
  w.gap(70);
  w.text(b.organisation.toUpperCase(), { bold: true, size: 16, centre: true });
  w.gap(90);
  w.text(b.title, { bold: true, size: 26, centre: true });
  w.gap(20);
  for (const s of b.subtitle) w.text(s, { size: 14, centre: true });

  for (const s of b.sections) {
    w.newPage();
    if (s.heading) {
      w.text(s.heading, { bold: true, size: 12 });
      w.gap(4);
    }
    for (const l of s.lines ?? []) w.text(l, { size: 10 });
    if (s.lines?.length) w.gap(6);
    if (s.chart) w.chart(s.chart);
    for (const t of s.tables ?? []) {
      if (t.heading) {
        if (!w.need(60)) w.newPage();
        w.gap(6);
        w.text(t.heading, { bold: true, size: 10.5 });
        w.gap(3);
      }
      w.table(t);
    }
  }
  // Page numbers on every page after the cover, centred at the foot.
  const label = b.pageLabel ?? 'Trang';
  w.pages.slice(1).forEach((p, i) => {
    const s = `${label} ${i + 1}/${w.pages.length - 1}`;
    p.drawText(s, { x: (PAGE[0] - regular.widthOfTextAtSize(s, 9)) / 2, y: 18, size: 9, font: regular });
  });
  return doc.save({ useObjectStreams: false });
}
