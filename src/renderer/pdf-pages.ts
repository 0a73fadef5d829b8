/**
 * A printed document's pages drawn in the window with pdf.js, from the very bytes main rendered
 * (and saves or prints): the preview is the document. Pages are drawn at print resolution so the
 * same canvases serve the screen and the printer. No script in a PDF runs (the window's CSP allows no
 * eval, and Custos' documents carry none).
 */
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';

GlobalWorkerOptions.workerSrc = 'pdf-worker.js';

/** Points to pixels: 150 dpi, enough for a QR code's modules on paper and sharp on screen. */
const SCALE = 150 / 72;

/** Draw every page into `into`, unless `live()` turns false on the way (the view closed or changed): then nothing more is added. */
export async function drawPages(pdf: Uint8Array, into: HTMLElement, label: string, live: () => boolean): Promise<number> {
  // pdf.js takes ownership of the buffer it is given: it gets a copy.
  const task = getDocument({ data: pdf.slice(), enableXfa: false, useSystemFonts: false, stopAtErrors: true });
  const doc = await task.promise;
  try {
    if (!live()) return 0;
    into.replaceChildren();
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      if (!live()) return 0;
      const viewport = page.getViewport({ scale: SCALE });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      canvas.className = 'pdf-page';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${label}, page ${n} of ${doc.numPages}`);
      into.append(canvas);
      await page.render({ canvas, viewport }).promise;
      if (!live()) {
        clearPages(into);
        return 0;
      }
    }
    return doc.numPages;
  } finally {
    await task.destroy();
  }
}

/** Blank the pages (a share card must not stay on screen or in memory longer than its moment). */
export function clearPages(from: HTMLElement): void {
  for (const c of from.querySelectorAll('canvas')) {
    c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    c.width = 0;
    c.height = 0;
  }
  from.replaceChildren();
}
