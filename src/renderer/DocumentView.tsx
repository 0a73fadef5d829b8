/**
 * A printed document on screen: its pages drawn from the very PDF main rendered (the preview is
 * the document), with Print (the system's dialog, which prints these pages) and Save PDF (main's
 * save dialog, the same bytes). A secret document (a share card) has no Save: it is printed, or
 * it stays on the paper medium the ceremony wrote it to; its pages are blanked when it closes.
 */
import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { api, errorText } from './api';
import { clearPages, drawPages } from './pdf-pages';

export interface ShownDocument {
  title: string;
  pdf: Uint8Array;
  /** Set for a document main keeps (it can be saved); none for a secret one. */
  id?: string;
  sha256?: string;
}

export function DocumentView(p: { doc: ShownDocument; secret?: boolean; printLabel?: string; onPrinted?: (printed: boolean) => void; onClose?: () => void }) {
  const pages = useRef<HTMLDivElement>(null);
  const section = useRef<HTMLElement>(null);
  // Opened below what the person was reading: brought into view.
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'start' }); // (newer browsers return a promise here: not a cleanup)
  }, []);
  const [count, setCount] = useState(0);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const into = pages.current!;
    let live = true;
    drawPages(p.doc.pdf, into, p.doc.title, () => live).then(
      (n) => live && setCount(n),
      (e) => live && setError(`The document could not be drawn: ${errorText(e)}`),
    );
    return () => {
      live = false;
      clearPages(into);
    };
  }, [p.doc.pdf, p.doc.title]);
  const print = async () => {
    setError('');
    try {
      const r = await api().print();
      setStatus(r.printed ? 'Sent to the printer.' : `Not printed${r.reason ? `: ${r.reason}` : ''}.`);
      p.onPrinted?.(r.printed);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const save = async () => {
    setError('');
    try {
      const r = await api().saveDocument(p.doc.id!);
      if (r) setStatus(`Saved as ${r.name}, SHA-256 ${r.sha256}.`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="document" aria-label={p.doc.title} ref={section}>
      <div className="document-bar">
        <h2>{p.doc.title}</h2>
        <span className="small">{count ? `${count} ${count === 1 ? 'page' : 'pages'}` : 'Drawing the pages…'}</span>
        {p.doc.sha256 && <span className="mono small">SHA-256 {p.doc.sha256}</span>}
        <div className="buttons">
          <Button className="primary" isDisabled={!count} onPress={() => void print()}>
            {p.printLabel ?? 'Print…'}
          </Button>
          {!p.secret && p.doc.id && (
            <Button className="secondary" isDisabled={!count} onPress={() => void save()}>
              Save PDF…
            </Button>
          )}
          {p.onClose && (
            <Button className="secondary" onPress={p.onClose}>
              Close
            </Button>
          )}
        </div>
      </div>
      {status && (
        <p className="status" role="status">
          {status}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {/* Focusable, so the keyboard can scroll the pages. */}
      <div className="print-pages" ref={pages} tabIndex={0} role="group" aria-label={`${p.doc.title}: its pages`} />
    </section>
  );
}
