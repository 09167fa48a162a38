// The demo's documents, made by Kyso's own PDF writer: a one-page A4 draft of a Quyết định laid
// out as Nghị định 30 shows it (motto, organisation, "Số:   /QĐ-SYT", a blank date, title,
// body, "Nơi nhận", and "GIÁM ĐỐC" above the signer's name with room for the signature), and an
// appendix. The text is real text (embedded Liberation Serif subsets with ToUnicode), so the
// signing steps find "Số:", the date, the title line and "Lưu:" where a clerk would.
import { writeFileSync } from 'node:fs';
import { AppearanceKit, type Canvas } from '../appearance/kit.js';
import type { FontStyle } from '../appearance/fonts.js';
import { IncrementalUpdate } from '../pdf/incremental.js';
import { PdfDict, PdfStream } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';

const A4: [number, number] = [595.28, 841.89];

/** A PDF with one empty A4 page (the canvas the update then draws on). */
function blankPdf(): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4[0]} ${A4[1]}] /Resources << >> /Contents 4 0 R >>`,
    '<< /Length 0 >>\nstream\n\nendstream',
  ];
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

interface Run {
  text: string;
  x: number;
  y: number;
  size: number;
  style?: FontStyle;
  /** Centred on x. */
  centre?: boolean;
}

function page(kind: 'decision' | 'appendix', year: number): Run[] {
  const left = 85;
  const leftCol = left + 85;
  const rightCol = 395;
  const mid = A4[0] / 2 + 20;
  const runs: Run[] = [];
  const c = (text: string, x: number, y: number, size: number, style: FontStyle = 'regular'): void => void runs.push({ text, x, y, size, style, centre: true });
  let y = A4[1] - 62;
  if (kind === 'decision') {
    c('UBND TỈNH QUẢNG NINH', leftCol, y, 12);
    c('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', rightCol, y, 12, 'bold');
    y -= 15;
    c('SỞ Y TẾ', leftCol, y, 12.5, 'bold');
    c('Độc lập - Tự do - Hạnh phúc', rightCol, y, 13, 'bold');
    y -= 30;
    c('Số:         /QĐ-SYT', leftCol, y, 13);
    c(`Quảng Ninh, ngày      tháng      năm ${year}`, rightCol, y, 13, 'italic');
    y -= 62;
    c('QUYẾT ĐỊNH', mid, y, 14, 'bold');
    y -= 17;
    c('Về việc ban hành Quy chế ký số văn bản điện tử', mid, y, 14, 'bold');
    y -= 26;
    c('GIÁM ĐỐC SỞ Y TẾ TỈNH QUẢNG NINH', mid, y, 14, 'bold');
  } else {
    c('PHỤ LỤC', mid, y, 14, 'bold');
    y -= 18;
    c('Danh sách đơn vị áp dụng Quy chế ký số', mid, y, 14, 'bold');
  }
  y -= 28;
  const body =
    kind === 'appendix'
      ? ['1. Văn phòng Sở Y tế.', '2. Trung tâm Kiểm soát bệnh tật tỉnh.', '3. Các bệnh viện tuyến tỉnh.']
      : [
          'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ',
          'về công tác văn thư;',
          'Căn cứ Nghị định số 68/2024/NĐ-CP về chữ ký số chuyên dùng công vụ;',
          'Điều 1. Ban hành kèm theo Quyết định này Quy chế ký số văn bản điện tử.',
          'Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.',
        ];
  for (const line of body) {
    runs.push({ text: line, x: left + 28, y, size: 13.5, style: kind === 'appendix' ? 'regular' : 'italic' });
    y -= 19;
  }
  if (kind === 'decision') {
    const top = 300;
    runs.push({ text: 'Nơi nhận:', x: left, y: top, size: 12, style: 'bold' });
    runs.push({ text: '- Như Điều 2;', x: left, y: top - 15, size: 11 });
    runs.push({ text: '- Lưu: VT, VP.', x: left, y: top - 29, size: 11 });
    c('GIÁM ĐỐC', 420, top, 14, 'bold');
    c('Nguyễn Văn Minh', 420, top - 100, 14, 'bold');
  }
  return runs;
}

/** Writes a demo document: the decision (the main document) or its appendix (an attachment). */
export function writeDemoDocument(path: string, kind: 'decision' | 'appendix', year: number): void {
  const base = blankPdf();
  writeFileSync(path, base);
  const reader = PdfReader.open(path);
  try {
    const update = new IncrementalUpdate(reader);
    const kit = new AppearanceKit(update);
    const runs = page(kind, year);
    const form = kit.form(A4[0], A4[1], 0, (canvas: Canvas) => {
      for (const r of runs) {
        const w = canvas.face(r.style).measure(r.text, r.size);
        canvas.text(r.text, { x: r.centre ? r.x - w / 2 : r.x, y: r.y, size: r.size, style: r.style });
      }
    });
    const content = update.add(new PdfStream(new PdfDict(), 0, 0, Buffer.from('q /Page Do Q', 'latin1')));
    const pg = reader.page(0);
    const dict = pg.dict.clone();
    dict.set('Resources', new PdfDict([['XObject', new PdfDict([['Page', form]])]]));
    dict.set('Contents', content);
    update.set(pg.ref, dict);
    kit.finish();
    const built = update.build();
    writeFileSync(path, Buffer.concat([base, built.bytes]));
  } finally {
    reader.close();
  }
}
