/**
 * The page layout every printed document shares: A4 pages with a running footer, text that
 * wraps, headings, label/value rows, tick boxes and lines to write on. Built on pdf-lib with the
 * fonts the caller hands in (the bundled Atkinson Hyperlegible faces: a legible face, and a
 * monospace one wherever a character must be told apart from its neighbour: 0/O, 1/l/I).
 *
 * The bytes depend only on the input: the document's dates are the ones given (from the
 * transcript, never the wall clock), pdf-lib's names come from its seeded generator, and no
 * file id is written, so re-rendering a document and comparing SHA-256 proves it unchanged.
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface FontFiles {
  regular: Uint8Array;
  bold: Uint8Array;
  mono: Uint8Array;
  monoBold: Uint8Array;
}

export interface DocMeta {
  title: string;
  subject: string;
  /** The date the document speaks for (its PDF creation and modification dates); none for a document made before its event. */
  date?: Date;
  /** Printed in every footer, e.g. "ceremony 5c2f…" or "transcript SHA-256 …". */
  reference: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const FOOTER = 30;
const INK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.55, 0.55, 0.55);

export type FontName = 'regular' | 'bold' | 'mono' | 'monoBold';

export interface TextOptions {
  font?: FontName;
  size?: number;
  indent?: number;
  /** Space after the block, in points. */
  after?: number;
  grey?: boolean;
  /** Width to wrap at, from the indent; the text column by default. */
  width?: number;
}

export class Layout {
  readonly width = A4[0] - 2 * MARGIN;
  private page!: PDFPage;
  private y = 0;
  private readonly pages: PDFPage[] = [];

  private constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Record<FontName, PDFFont>,
    private readonly charsets: Record<FontName, Set<number>>,
    private readonly meta: DocMeta,
  ) {
    this.newPage();
  }

  static async create(files: FontFiles, meta: DocMeta): Promise<Layout> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.registerFontkit(fontkit);
    const embed = (b: Uint8Array, name: string) => doc.embedFont(b, { subset: true, customName: name });
    const fonts = {
      regular: await embed(files.regular, 'CustosSans-Regular'),
      bold: await embed(files.bold, 'CustosSans-Bold'),
      mono: await embed(files.mono, 'CustosMono-Regular'),
      monoBold: await embed(files.monoBold, 'CustosMono-Bold'),
    };
    const charsets = Object.fromEntries(Object.entries(fonts).map(([k, f]) => [k, new Set(f.getCharacterSet())])) as Record<FontName, Set<number>>;
    doc.setTitle(meta.title);
    doc.setSubject(meta.subject);
    doc.setAuthor('Custos');
    doc.setCreator('Custos');
    doc.setProducer('Custos (pdf-lib)');
    doc.setLanguage('en');
    if (meta.date) {
      doc.setCreationDate(meta.date);
      doc.setModificationDate(meta.date);
    }
    return new Layout(doc, fonts, charsets, meta);
  }

  /** Text as the font can draw it: a character it lacks becomes "?" rather than a blank box. */
  clean(text: string, font: FontName = 'regular'): string {
    const set = this.charsets[font];
    return [...text.replace(/[\r\n\t]/g, ' ')].map((c) => (set.has(c.codePointAt(0)!) ? c : '?')).join('');
  }

  /** Widths at 1000 points, per font and character: measuring is summing (wrapping measures often). */
  private readonly widths = new Map<string, number>();

  widthOf(text: string, font: FontName, size: number): number {
    let w = 0;
    for (const c of this.clean(text, font)) {
      const key = font + c;
      let x = this.widths.get(key);
      if (x === undefined) this.widths.set(key, (x = this.fonts[font].widthOfTextAtSize(c, 1000)));
      w += x;
    }
    return (w * size) / 1000;
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
  }

  /** Start a new page unless `height` points still fit above the footer. */
  ensure(height: number): void {
    if (this.y - height < MARGIN + FOOTER) this.newPage();
  }

  /** The cursor, in points from the bottom of the page; set it to return to a line already drawn on this page. */
  get cursor(): number {
    return this.y;
  }

  set cursor(y: number) {
    this.y = y;
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** Wrap `text` to lines that fit `width` points (breaking at spaces, or anywhere in a long word). */
  wrap(text: string, font: FontName, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const para of text.split('\n').map((t) => this.clean(t, font))) {
      let line = '';
      for (const word of para.split(' ')) {
        const next = line ? `${line} ${word}` : word;
        if (this.widthOf(next, font, size) <= width) {
          line = next;
          continue;
        }
        if (line) lines.push(line);
        line = '';
        // A word wider than the column is cut where it fills a line (at least one character a line).
        let w = 0;
        for (const c of word) {
          const cw = this.widthOf(c, font, size);
          if (line && w + cw > width) {
            lines.push(line);
            line = '';
            w = 0;
          }
          line += c;
          w += cw;
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /** The lines `text` takes as `text(text, o)` draws it, and its height with the space after. */
  measure(text: string, o: TextOptions = {}): { lines: string[]; lead: number; height: number } {
    const size = o.size ?? 10;
    const lead = size * 1.3;
    const lines = this.wrap(text, o.font ?? 'regular', size, o.width ?? this.width - (o.indent ?? 0));
    return { lines, lead, height: lines.length * lead + (o.after ?? 0) };
  }

  /** A block of wrapped text; moves to a new page first if its first two lines do not fit. */
  text(text: string, o: TextOptions = {}): void {
    const font = o.font ?? 'regular';
    const size = o.size ?? 10;
    const indent = o.indent ?? 0;
    const { lines, lead } = this.measure(text, o);
    this.ensure(Math.min(lines.length, 2) * lead);
    for (const line of lines) {
      this.ensure(lead);
      this.y -= size;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font: this.fonts[font], color: o.grey ? GREY : INK });
      this.y -= lead - size;
    }
    this.y -= o.after ?? 0;
  }

  heading(text: string, size = 15): void {
    this.ensure(size * 3);
    this.gap(size * 0.4);
    this.text(text, { font: 'bold', size, after: size * 0.3 });
  }

  /** "Label   value" rows with the values aligned; a value in mono where characters matter. */
  rows(rows: [label: string, value: string, mono?: boolean][], o: { labelWidth?: number; size?: number; width?: number } = {}): void {
    const size = o.size ?? 10;
    const labelWidth = o.labelWidth ?? 130;
    for (const [label, value, mono] of rows) {
      const font: FontName = mono ? 'mono' : 'regular';
      const lines = this.wrap(value, font, size, (o.width ?? this.width) - labelWidth);
      this.ensure(lines.length * size * 1.35);
      const top = this.y;
      this.y -= size;
      this.page.drawText(this.clean(label, 'bold'), { x: MARGIN, y: this.y, size, font: this.fonts.bold, color: GREY });
      for (const [i, line] of lines.entries()) {
        if (i > 0) this.y -= size * 1.35;
        this.page.drawText(line, { x: MARGIN + labelWidth, y: this.y, size, font: this.fonts[font], color: INK });
      }
      this.y = top - lines.length * size * 1.35 - 2;
    }
  }

  rule(): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + this.width, y: this.y }, thickness: 0.6, color: RULE });
    this.y -= 4;
  }

  /** An empty tick box at the left of the current line, `size` points square. */
  checkbox(indent: number, size = 10): void {
    this.page.drawRectangle({ x: MARGIN + indent, y: this.y - size, width: size, height: size, borderColor: INK, borderWidth: 0.8 });
  }

  /** A labelled line to write on: "Initials ________". */
  writeLine(label: string, x: number, width: number, size = 8): void {
    this.page.drawText(this.clean(label), { x: MARGIN + x, y: this.y - size, size, font: this.fonts.regular, color: GREY });
    const lx = MARGIN + x + this.widthOf(label, 'regular', size) + 4;
    this.page.drawLine({ start: { x: lx, y: this.y - size - 1 }, end: { x: MARGIN + x + width, y: this.y - size - 1 }, thickness: 0.6, color: INK });
  }

  /** Rows of labelled lines to sign on: one per entry, each with name, signature and date. */
  signatures(people: string[], o: { date?: boolean } = {}): void {
    for (const who of people) {
      this.ensure(34);
      this.y -= 22;
      this.page.drawText(this.clean(who), { x: MARGIN, y: this.y, size: 9, font: this.fonts.regular, color: INK });
      this.page.drawLine({ start: { x: MARGIN + 200, y: this.y - 1 }, end: { x: MARGIN + (o.date === false ? this.width : 380), y: this.y - 1 }, thickness: 0.6, color: INK });
      this.page.drawText('signature', { x: MARGIN + 200, y: this.y - 10, size: 7, font: this.fonts.regular, color: GREY });
      if (o.date !== false) {
        this.page.drawLine({ start: { x: MARGIN + 400, y: this.y - 1 }, end: { x: MARGIN + this.width, y: this.y - 1 }, thickness: 0.6, color: INK });
        this.page.drawText('date and time', { x: MARGIN + 400, y: this.y - 10, size: 7, font: this.fonts.regular, color: GREY });
      }
      this.y -= 12;
    }
  }

  /** A framed box `height` points tall with a caption in its top-left corner. */
  box(caption: string, height: number, o: { x?: number; width?: number; advance?: boolean } = {}): void {
    const x = MARGIN + (o.x ?? 0);
    const width = o.width ?? this.width;
    this.ensure(height);
    this.page.drawRectangle({ x, y: this.y - height, width, height, borderColor: INK, borderWidth: 1 });
    this.page.drawText(this.clean(caption, 'bold'), { x: x + 6, y: this.y - 13, size: 9, font: this.fonts.bold, color: INK });
    if (o.advance !== false) this.y -= height + 8;
  }

  /** Dark modules of a QR matrix as filled squares, top-left at (x, y from the top of the page). */
  qr(modules: { size: number; get(row: number, col: number): boolean | number }, x: number, top: number, module: number, quiet = 4): number {
    const side = (modules.size + 2 * quiet) * module;
    const left = MARGIN + x;
    const pageTop = A4[1] - top;
    for (let r = 0; r < modules.size; r++) {
      let c = 0;
      while (c < modules.size) {
        if (!modules.get(r, c)) {
          c++;
          continue;
        }
        const start = c;
        while (c < modules.size && modules.get(r, c)) c++;
        this.page.drawRectangle({ x: left + (quiet + start) * module, y: pageTop - (quiet + r + 1) * module, width: (c - start) * module, height: module, color: INK });
      }
    }
    return side;
  }

  /** Distance from the top of the page to the cursor. */
  get fromTop(): number {
    return A4[1] - this.y;
  }

  /** Move the cursor to `fromTop` points below the top of the page, if that is lower than it is. */
  below(fromTop: number): void {
    this.y = Math.min(this.y, A4[1] - fromTop);
  }

  async save(): Promise<Uint8Array> {
    const n = this.pages.length;
    for (const [i, p] of this.pages.entries()) {
      let left = this.clean(`${this.meta.title} - ${this.meta.reference}`);
      while (this.widthOf(left, 'regular', 7.5) > this.width - 70) left = left.slice(0, -2) + '~';
      p.drawLine({ start: { x: MARGIN, y: MARGIN + 14 }, end: { x: MARGIN + this.width, y: MARGIN + 14 }, thickness: 0.4, color: RULE });
      p.drawText(left, { x: MARGIN, y: MARGIN, size: 7.5, font: this.fonts.regular, color: GREY });
      const right = `page ${i + 1} of ${n}`;
      p.drawText(right, { x: MARGIN + this.width - this.widthOf(right, 'regular', 7.5), y: MARGIN, size: 7.5, font: this.fonts.regular, color: GREY });
    }
    return this.doc.save({ useObjectStreams: true });
  }
}
