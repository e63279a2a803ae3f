// Form funnels: first focus, submit, and abandon (changed but not submitted by page_leave). Field names and counts
// only, never values.
import { analytics } from './consent.js';
import { onLeave, track } from './page.js';
import { cut } from './sanitize.js';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
type FormState = { filled: Set<Element>; focused?: boolean; submitted?: boolean };
let forms = new Map<HTMLFormElement, FormState>();

// Controls a visitor fills in; buttons and hidden inputs are not fields.
const isField = (el: unknown): el is Field =>
  el instanceof Element && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && !/^(hidden|submit|button|reset|image)$/.test((el as Field).type);

// getAttribute, because form.id and form.name are shadowed by fields named "id" or "name".
const describeForm = (f: HTMLFormElement) => ({
  form: cut(f.getAttribute('id') || f.getAttribute('name'), 128),
  fields: [...f.elements].filter(isField).length,
});

const state = (f: HTMLFormElement) => {
  let s = forms.get(f);
  if (!s) forms.set(f, (s = { filled: new Set() }));
  return s;
};

export const initForms = () => {
  const on = (type: string, fn: (target: EventTarget | null) => void) =>
    document.addEventListener(type, (e) => analytics() && fn(e.target), true);
  on('focusin', (el) => {
    if (!isField(el) || !el.form) return;
    const s = state(el.form);
    if (!s.focused) {
      s.focused = true;
      track('form', { action: 'focus', ...describeForm(el.form), field: cut(el.getAttribute('name') || el.id, 128) });
    }
  });
  on('input', (el) => isField(el) && el.form && state(el.form).filled.add(el));
  on('submit', (f) => {
    if (f instanceof HTMLFormElement) {
      const s = state(f);
      s.submitted = true;
      track('form', { action: 'submit', ...describeForm(f), filled: s.filled.size });
    }
  });
  onLeave(() => {
    forms.forEach((s, f) => s.filled.size && !s.submitted && track('form', { action: 'abandon', ...describeForm(f), filled: s.filled.size }));
    forms = new Map();
  });
};
