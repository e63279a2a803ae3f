// The dialog: a bottom sheet in a shadow root, modal (focus moves in and is trapped), with equally prominent
// "Accept all" / "Reject all", a "Customize" panel of per-category switches (and, for a visitor holding a visitor
// token, "Download my data" and "Delete my data" with a confirmation), and a small "Privacy settings" button that
// reopens it once a choice exists.
import { CATEGORIES, type Choice } from './choice.js';
import type { Texts } from './i18n.js';
import { CSS } from './style.js';

export type Banner = { open: (choice: Choice | null, canClose: boolean, withData?: boolean) => void; settings: (show: boolean) => void };
export type DataAction = 'download' | 'erase';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const FOCUSABLE = 'a[href],button:not([hidden]),input:not([disabled])';

const category = (id: string, [label, text]: [string, string], control: string) =>
  `<div class=cat><label for=c-${id}>${esc(label)}</label>${control}<p id=e-${id}>${esc(text)}</p></div>`;

export const createBanner = (
  t: Texts,
  policyUrl: string | null,
  lang: string,
  onDecide: (choice: Choice) => void,
  onReopen: () => void,
  onData: (action: DataAction) => Promise<unknown>,
): Banner => {
  const host = document.createElement('augur-consent');
  const root = host.attachShadow({ mode: 'open' });
  const policy = policyUrl ? ` <a href="${esc(policyUrl)}" target=_blank rel=noopener>${esc(t.policy)}</a>` : '';
  root.innerHTML =
    `<style>${CSS}</style><div class=bg hidden></div>` +
    `<div class=box role=dialog aria-modal=true aria-labelledby=t aria-describedby=d tabindex=-1 lang=${lang} hidden>` +
    `<h2 id=t>${esc(t.title)}</h2><p id=d>${esc(t.description)}${policy}</p>` +
    `<div class=cats id=cats hidden>` +
    category('necessary', t.necessary, `<span>${esc(t.alwaysOn)}</span>`) +
    CATEGORIES.map((c) => category(c, t[c], `<input type=checkbox role=switch id=c-${c} aria-describedby=e-${c}>`)).join('') +
    `<div class=data hidden><div class=acts><button class=sub data-a=download>${esc(t.download)}</button><button class=sub data-a=erase>${esc(t.erase)}</button></div>` +
    `<div class=conf hidden><p>${esc(t.confirm)}</p><div class=acts><button class=sub data-a=no>${esc(t.no)}</button><button class=sub data-a=yes>${esc(t.yes)}</button></div></div>` +
    `<p class=st role=status></p></div></div><div class=acts><button class=sub data-a=customize aria-expanded=false aria-controls=cats>${esc(t.customize)}</button>` +
    `<button class=sub data-a=save hidden>${esc(t.save)}</button>` +
    `<button class=main data-a=reject>${esc(t.reject)}</button><button class=main data-a=accept>${esc(t.accept)}</button></div></div>` +
    `<button class=set lang=${lang} hidden>${esc(t.settings)}</button>`;
  const $ = <E extends Element>(s: string) => root.querySelector(s) as E;
  const box = $<HTMLElement>('.box');
  const bg = $<HTMLElement>('.bg');
  const cats = $<HTMLElement>('.cats');
  const settingsButton = $<HTMLButtonElement>('.set');
  const button = (a: string) => $<HTMLButtonElement>(`[data-a=${a}]`);
  const switches = () => CATEGORIES.map((c) => $<HTMLInputElement>('#c-' + c));
  const data = $<HTMLElement>('.data');
  const rights = $<HTMLElement>('.data>.acts');
  const conf = $<HTMLElement>('.conf');
  const status = $<HTMLElement>('.st');
  // The confirmation replaces the two buttons; focus goes to the harmless choice.
  const confirming = (on: boolean) => {
    rights.hidden = on;
    conf.hidden = !on;
    button(on ? 'no' : 'erase').focus();
  };
  let canClose = false;
  let returnTo: Element | null = null;

  const customize = (on: boolean) => {
    cats.hidden = !on;
    button('customize').hidden = on;
    button('customize').setAttribute('aria-expanded', String(on));
    button('save').hidden = !on;
  };
  const close = () => {
    box.hidden = bg.hidden = true;
    settingsButton.hidden = !showSettings;
    if (returnTo instanceof HTMLElement && returnTo.isConnected) returnTo.focus();
  };
  const choose = (all?: boolean) => {
    const values = switches().map((s) => !s.disabled && (all == null ? s.checked : all));
    close();
    onDecide({ analytics: values[0]!, marketing: values[1]!, personalization: values[2]! });
  };

  root.addEventListener('click', (e) => {
    const target = e.target as Element;
    if (target == settingsButton) return onReopen();
    const action = target.closest && target.closest('[data-a]');
    const a = action && action.getAttribute('data-a');
    if (a == 'customize') {
      customize(true);
      switches()[0]!.focus();
    } else if (a == 'erase' || a == 'no') confirming(a == 'erase');
    else if (a == 'download' || a == 'yes') {
      status.textContent = '';
      if (a == 'yes') confirming(false);
      onData(a == 'yes' ? 'erase' : a).catch(() => (status.textContent = t.failed));
    } else if (a) choose(a == 'accept' ? true : a == 'reject' ? false : undefined);
  });

  // Tab and Shift+Tab cycle inside the open dialog; Escape closes it only when a choice already exists (it never
  // stands for a decision).
  root.addEventListener('keydown', (e) => {
    const k = e as KeyboardEvent;
    if (box.hidden) return;
    if (k.key == 'Escape' && canClose) close();
    if (k.key != 'Tab') return;
    const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent);
    const i = items.indexOf(root.activeElement as HTMLElement);
    const next = k.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : i < 0 || i == items.length - 1 ? 0 : i + 1;
    items[next]!.focus();
    e.preventDefault();
  });
  // Focus that leaves the dialog some other way (a click on the page, assistive technology) is brought back.
  document.addEventListener('focusin', (e) => {
    if (!box.hidden && e.target != host) box.focus();
  });

  let showSettings = false;
  const api: Banner = {
    open: (choice, closable, withData) => {
      if (choice) switches().forEach((s, i) => (s.checked = !!choice[CATEGORIES[i]!]));
      data.hidden = !withData;
      status.textContent = '';
      if (navigator.globalPrivacyControl) (switches()[1]!.checked = false), (switches()[1]!.disabled = true);
      canClose = closable;
      customize(!!choice && closable);
      returnTo = document.activeElement;
      box.hidden = bg.hidden = false;
      settingsButton.hidden = true;
      box.focus();
    },
    settings: (show) => {
      showSettings = show;
      settingsButton.hidden = !show || !box.hidden;
    },
  };
  (document.body || document.documentElement).appendChild(host);
  return api;
};
