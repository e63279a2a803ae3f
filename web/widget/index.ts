// Augur consent banner, served as /widget.js:
//   <script src="https://augur.example.com/widget.js" data-site="pk_…" defer></script>
// Optional attributes: data-api (server base URL; default the script's origin), data-lang (en, de, fr; default the
// browser's language), data-settings-link="false" (no floating "Privacy settings" button; call
// window.augurConsentBanner.open() from your own link instead), data-survey="false" (never load the visit-reason survey).
import { decide, download, erase, mustAsk, stored, token, type Choice } from './choice.js';
import { pickLang, textsFor, type SiteTexts } from './i18n.js';
import { createBanner, type Banner, type DataAction } from './ui.js';

type Config = { policy_version: string; policy_url: string | null; texts: Record<string, SiteTexts> };

const script = (document.currentScript || document.querySelector('script[src*="widget.js"][data-site]')) as HTMLScriptElement | null;
const attr = (name: string) => script && script.getAttribute('data-' + name);
const site = attr('site');

// Browsers send no Origin on a same-origin GET (a page served by Augur itself); the server then checks the Referer,
// which a page's no-referrer policy would suppress: the page's origin is all it needs.
const loadConfig = (api: string): Promise<Config | null> =>
  fetch(`${api}/api/v1/privacy/banner?site=${encodeURIComponent(site!)}`, { referrerPolicy: 'origin' })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);

let ready: (() => void) | undefined;
let pending = false;

const start = async () => {
  const api = (attr('api') || new URL(script!.src, location.href).origin).replace(/\/+$/, '');
  const lang = pickLang(attr('lang'), navigator.language);
  // Without the configuration (server unreachable) the banner still works: default texts, policy version of the
  // stored choice (so a visitor who chose is not asked again) or "1".
  const config = (await loadConfig(api)) || { policy_version: (stored() || {}).policy_version || '1', policy_url: null, texts: {} };
  let source: 'banner' | 'settings_link' = 'banner';
  const reopen = () => {
    source = 'settings_link';
    const s = stored();
    banner.open(s, !!s, !!token());
  };
  const decided = (choice: Choice) => {
    decide(api, site!, choice, config.policy_version, source);
    survey(choice);
    banner.settings(attr('settings-link') != 'false');
  };
  // After an erasure the visitor is a new one here too: nothing stored, the banner as on a first visit.
  const rights = (action: DataAction) =>
    action == 'download'
      ? download(api, site!)
      : erase(api, site!).then(() => {
          source = 'banner';
          banner.open({ analytics: false, marketing: false, personalization: false }, false);
        });
  // The survey comes in its own script, and only for visitors who granted analytics (the banner has no room for it).
  let surveyLoaded = attr('survey') == 'false';
  const survey = (choice: Choice | null) => {
    if (surveyLoaded || !choice || !choice.analytics) return;
    surveyLoaded = true;
    const s = document.createElement('script');
    s.src = api + '/survey.js';
    [['site', site!], ['api', api], ['lang', lang]].forEach(([k, v]) => s.setAttribute('data-' + k, v!));
    document.head.appendChild(s);
  };
  const banner: Banner = createBanner(textsFor(lang, config.texts), config.policy_url, lang, decided, reopen, rights);
  const s = stored();
  if (mustAsk(s, config.policy_version)) banner.open(s, false);
  else banner.settings(attr('settings-link') != 'false'), survey(s);
  ready = reopen;
  if (pending) reopen();
};

if (site && !window.augurConsentBanner) {
  // Usable at once (a footer link may be clicked while the configuration loads): an early open() waits for it.
  window.augurConsentBanner = { open: () => (ready ? ready() : (pending = true)) };
  if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
