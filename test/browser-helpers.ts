// What the Chromium suites share: Debian's browser, its flags, a human User-Agent (headless Chromium is dropped as a
// bot), and the focused element inside a widget's shadow root.
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** The element focused inside a shadow root, named by its text ('dialog' for a dialog), or what is focused outside. */
export const focusedInShadow = (page: Page) =>
  page.evaluate<string>(`(() => {
    const inner = document.activeElement && document.activeElement.shadowRoot && document.activeElement.shadowRoot.activeElement;
    return inner ? (inner.getAttribute('role') === 'dialog' ? 'dialog' : inner.textContent) : 'outside: ' + document.activeElement.tagName;
  })()`);
