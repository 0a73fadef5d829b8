/** Placeholder screen until the ceremony UI lands: shows what the main process reports. */
import type { CustosApi } from '../shared/ipc';

declare global {
  interface Window {
    custos: CustosApi;
  }
}

const el = document.getElementById('about');
window.custos
  .about()
  .then((a) => {
    if (el) el.textContent = `${a.name} ${a.version} · ${a.runtime} · native crypto: ${a.nativeCrypto.join(', ')}`;
  })
  .catch(() => {
    if (el) el.textContent = 'The main process did not answer.';
  });
