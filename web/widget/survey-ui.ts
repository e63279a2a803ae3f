// The prompt: a small non-modal dialog in a shadow root, bottom right. Focus moves into it only when the visitor is
// not busy elsewhere (nothing focused), and goes back where it was when it closes; Escape dismisses it.
import { optionLabel, type SurveyTexts } from './survey-texts.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');

const CSS = `:host{all:initial}*{box-sizing:border-box}
.box{position:fixed;z-index:2147483644;right:16px;bottom:16px;width:min(360px,calc(100% - 32px));background:#fff;color:#111827;border:1px solid #e5e7eb;
border-radius:14px;box-shadow:0 12px 36px rgba(0,0,0,.2);padding:16px 18px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.box:focus{outline:none}h2{margin:0 0 10px;font-size:16px;font-weight:650}
.opts{display:flex;flex-direction:column;gap:8px}
button{font:inherit;cursor:pointer;text-align:left;border-radius:10px;padding:9px 14px;min-height:44px;border:1px solid #b8bec8;background:transparent;color:inherit}
button:hover{background:#f3f4f6}button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.skip{margin-top:10px;border:0;min-height:0;padding:6px 4px;color:#4b5563;text-decoration:underline}
p{margin:0}
@media (prefers-color-scheme:dark){.box{background:#1f2430;color:#f3f4f6;border-color:#3a4150}button{border-color:#5b6475}button:hover{background:#2b3140}.skip{color:#c0c6d0}button:focus-visible{outline-color:#93c5fd}}`;

export type Option = { id: string; labels: Record<string, string> };

/** Shows the prompt; onDone gets the chosen option's id, or null when dismissed. */
export const showSurvey = (t: SurveyTexts, options: Option[], lang: string, onDone: (answer: string | null) => void) => {
  const host = document.createElement('augur-survey');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    `<style>${CSS}</style><div class=box role=dialog aria-labelledby=q tabindex=-1 lang=${esc(lang)}><h2 id=q>${esc(t.question)}</h2>` +
    `<div class=opts role=group aria-labelledby=q>${options.map((o) => `<button data-id="${esc(o.id)}">${esc(optionLabel(o, lang))}</button>`).join('')}</div>` +
    `<button class=skip>${esc(t.skip)}</button></div>`;
  const box = root.querySelector('.box') as HTMLElement;
  const returnTo = document.activeElement;
  const idle = !returnTo || returnTo == document.body || returnTo == document.documentElement;
  const close = (answer: string | null) => {
    onDone(answer);
    if (answer) {
      box.innerHTML = `<p role=status>${esc(t.thanks)}</p>`;
      box.focus();
      setTimeout(() => host.remove(), 2500);
    } else host.remove();
    if (idle || !(returnTo instanceof HTMLElement) || !returnTo.isConnected) return;
    returnTo.focus();
  };
  root.addEventListener('click', (e) => {
    const b = (e.target as Element).closest && (e.target as Element).closest('button');
    if (b) close(b.getAttribute('data-id'));
  });
  root.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key == 'Escape' && root.querySelector('.opts')) close(null);
  });
  (document.body || document.documentElement).appendChild(host);
  if (idle) box.focus();
};
