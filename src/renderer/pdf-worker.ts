// pdf.js's parser, in a worker of its own (the page is drawn in the window from what it sends).
import 'pdfjs-dist/build/pdf.worker.mjs';
