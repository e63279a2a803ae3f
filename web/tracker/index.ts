// Augur tracker, served as /t.js:
//   <script src="https://augur.example.com/t.js" data-site="pk_…" defer></script>
// Optional attributes: data-api (server base URL; default the script's origin), data-spa="false", data-mouse="false".
import { api, replay } from './api.js';
import { initClicks } from './capture-click.js';
import { initForms } from './capture-forms.js';
import { initMouse } from './capture-mouse.js';
import { initScroll } from './capture-scroll.js';
import { initSections } from './capture-sections.js';
import { consent, initConsent, onConsent, type Consent } from './consent.js';
import { clearIds, ids } from './identity.js';
import { initPage } from './page.js';
import { initSend } from './send.js';

// Read while the script runs: document.currentScript is null afterwards.
const script = (document.currentScript || document.querySelector('script[data-site]')) as HTMLScriptElement | null;
const attr = (name: string) => script && script.getAttribute('data-' + name);
const site = attr('site');

const start = () => {
  initConsent();
  // With analytics consent the ids exist; without it they do not (revoked elsewhere, or left from an older choice).
  const applyIds = (c: Consent) => (c.analytics ? ids() : clearIds());
  applyIds(consent());
  onConsent(applyIds);
  initSend((attr('api') || new URL(script!.src, location.href).origin).replace(/\/+$/, ''), site!);
  initClicks();
  initScroll();
  initSections();
  initForms();
  if (attr('mouse') != 'false') initMouse();
  window.augur = api;
  initPage(attr('spa') != 'false');
  replay(window.augurQueue);
};

if (site && !(window.augur && window.augur.track)) {
  if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
