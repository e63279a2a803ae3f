// A stable description of a clicked element: what it is and what it says, never what a visitor typed.
import { cleanText, cut } from './sanitize.js';

const MEANINGFUL = 'a,button,input[type=submit],[role=button]';
const AUGUR_ATTR = /^data-augur-(?!section$)/; // data-augur-section names a region, not a control
const FIELD = /^(INPUT|SELECT|TEXTAREA)$/;

/** The nearest element the visitor meant to click (link, button, data-augur-* element); else the target itself. */
export const clickTarget = (target: EventTarget | null): Element | null => {
  if (!(target instanceof Element)) return null;
  for (let el: Element | null = target; el; el = el.parentElement)
    if (el.matches(MEANINGFUL) || [...el.attributes].some((a) => AUGUR_ATTR.test(a.name))) return el;
  return target;
};

export const describe = (el: Element) => {
  const augur: Record<string, string> = {};
  let n = 0;
  for (const a of el.attributes) if (a.name.startsWith('data-augur-') && n++ < 10) augur[a.name.slice(11, 75)] = a.value.slice(0, 128);
  const classes = [...el.classList].slice(0, 10).map((c) => c.slice(0, 64));
  return {
    tag: el.tagName.toLowerCase().slice(0, 32),
    id: cut(el.id, 128),
    classes: classes.length ? classes : undefined,
    augur: n ? augur : undefined,
    href: el instanceof HTMLAnchorElement ? cut(el.href, 2048) : undefined,
    target: cut(el.getAttribute('target'), 32),
    // Form fields and editable regions hold what visitors type.
    text: FIELD.test(el.tagName) || (el as HTMLElement).isContentEditable ? undefined : cut(cleanText(el.textContent), 64),
  };
};
