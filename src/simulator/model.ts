// The behaviour model of simulated visitors: a latent intent drives an intent-specific Markov
// chain over page categories, and shapes dwell, scrolling, clicking, forms and outcomes.
// The numbers are plausible rather than measured; what matters is that intents differ the way
// real ones do (buyers reach checkout, job seekers the careers page, researchers read long).

export const INTENTS = ['buy', 'research', 'support', 'jobs', 'browse'] as const;
export type Intent = (typeof INTENTS)[number];

export const CATEGORIES = ['home', 'listing', 'product', 'pricing', 'docs', 'blog', 'support', 'careers', 'cart', 'checkout', 'thanks', 'contact'] as const;
export type Category = (typeof CATEGORIES)[number];
export type State = Category | 'exit';

/** How often each intent occurs among new visitors. */
export const INTENT_PRIOR: Record<Intent, number> = { buy: 0.25, research: 0.25, support: 0.15, jobs: 0.08, browse: 0.27 };

/** The demo site's pages per category (files under `${origin}/demo/`, see web/demo/). */
export const PAGES: Record<Category, readonly string[]> = {
  home: ['index.html'],
  listing: ['products.html'],
  product: ['product-1.html', 'product-2.html', 'product-3.html', 'product-4.html', 'product-5.html', 'product-6.html', 'product-7.html', 'product-8.html'],
  pricing: ['pricing.html'],
  docs: ['docs.html'],
  blog: ['blog.html', 'blog-1.html', 'blog-2.html'],
  support: ['support.html'],
  careers: ['careers.html'],
  cart: ['cart.html'],
  checkout: ['checkout.html'],
  thanks: ['thanks.html'],
  contact: ['contact.html'],
};

export interface Product { id: number; name: string; price: number }
/** The demo shop's catalogue (web/demo/demo.js), prices in EUR. */
export const PRODUCTS: readonly Product[] = [
  { id: 1, name: 'Ridgeline 2 Tent', price: 349 },
  { id: 2, name: 'Summit 45 Backpack', price: 189 },
  { id: 3, name: 'Glacier Down Jacket', price: 279 },
  { id: 4, name: 'Switchback Trail Shoe', price: 149 },
  { id: 5, name: 'Cirrus Carbon Poles', price: 89 },
  { id: 6, name: 'Ember Ti Stove', price: 69 },
  { id: 7, name: 'Nightjar 400 Headlamp', price: 45 },
  { id: 8, name: 'Tundra −10 Sleeping Bag', price: 229 },
];

const SITE = 'Northwind Outfitters';
/** Document titles per file; product pages are named after their product. */
export const PAGE_TITLES: Record<string, string> = {
  'index.html': `${SITE} — outdoor gear and the Trailhead route planner`,
  'products.html': `Shop all gear · ${SITE}`,
  'pricing.html': `Trailhead plans and pricing · ${SITE}`,
  'docs.html': `Getting started with Trailhead · ${SITE}`,
  'blog.html': `Journal · ${SITE}`,
  'blog-1.html': `Layering for shoulder season: a practical guide · ${SITE}`,
  'blog-2.html': `Planning a three-day hut traverse with Trailhead · ${SITE}`,
  'support.html': `Help centre · ${SITE}`,
  'careers.html': `Careers · ${SITE}`,
  'cart.html': `Your cart · ${SITE}`,
  'checkout.html': `Checkout · ${SITE}`,
  'thanks.html': `Thank you · ${SITE}`,
  'contact.html': `Contact sales · ${SITE}`,
  ...Object.fromEntries(PRODUCTS.map((p) => [`product-${p.id}.html`, `${p.name} · ${SITE}`])),
};

/** `data-augur-section` names per page category, top to bottom (as in web/demo/). */
export const SECTIONS: Record<Category, readonly string[]> = {
  home: ['hero', 'perks', 'featured', 'saas-teaser', 'testimonials', 'newsletter'],
  listing: ['listing-intro', 'product-grid', 'saas-cross-sell'],
  product: ['product-overview', 'product-gallery', 'specs', 'reviews', 'related'],
  pricing: ['pricing-intro', 'pricing-plans', 'plan-comparison', 'trial-signup', 'pricing-faq'],
  docs: ['docs-nav', 'article-body', 'docs-feedback'],
  blog: ['article-body', 'related-products'],
  support: ['support-intro', 'faq', 'support-form'],
  careers: ['careers-intro', 'job-list', 'benefits', 'application'],
  cart: ['cart-items', 'cart-summary'],
  checkout: ['checkout-form', 'order-summary'],
  thanks: ['confirmation', 'recommendations'],
  contact: ['contact-intro', 'contact-form', 'contact-info'],
};
const BLOG_INDEX_SECTIONS = ['blog-intro', 'post-list', 'newsletter'] as const;

/** The sections of one page (the blog index differs from its posts). */
export function sectionsOf(category: Category, file: string): readonly string[] {
  return file === 'blog.html' ? BLOG_INDEX_SECTIONS : SECTIONS[category];
}

type Row = Partial<Record<State, number>>;
/** Per intent, per current page: probabilities of the next state (rows sum to 1). */
export const TRANSITIONS: Record<Intent, Record<Category, Row>> = {
  buy: {
    home: { listing: 0.45, product: 0.2, pricing: 0.05, blog: 0.03, cart: 0.02, exit: 0.25 },
    listing: { product: 0.6, listing: 0.1, home: 0.05, cart: 0.05, exit: 0.2 },
    product: { product: 0.2, cart: 0.35, listing: 0.15, pricing: 0.03, support: 0.02, exit: 0.25 },
    pricing: { product: 0.3, listing: 0.3, exit: 0.4 },
    docs: { product: 0.3, listing: 0.2, exit: 0.5 },
    blog: { product: 0.3, listing: 0.2, blog: 0.1, exit: 0.4 },
    support: { product: 0.3, contact: 0.1, exit: 0.6 },
    careers: { home: 0.3, exit: 0.7 },
    cart: { checkout: 0.6, product: 0.1, listing: 0.1, exit: 0.2 },
    checkout: { thanks: 0.7, cart: 0.1, exit: 0.2 },
    thanks: { home: 0.05, listing: 0.05, exit: 0.9 },
    contact: { product: 0.2, exit: 0.8 },
  },
  research: {
    home: { listing: 0.25, product: 0.15, pricing: 0.2, docs: 0.15, blog: 0.15, exit: 0.1 },
    listing: { product: 0.55, listing: 0.1, pricing: 0.1, exit: 0.25 },
    product: { product: 0.3, pricing: 0.2, docs: 0.1, listing: 0.15, cart: 0.02, exit: 0.23 },
    pricing: { docs: 0.15, product: 0.2, contact: 0.05, listing: 0.1, exit: 0.5 },
    docs: { docs: 0.25, pricing: 0.2, product: 0.15, blog: 0.1, exit: 0.3 },
    blog: { blog: 0.3, product: 0.15, pricing: 0.1, docs: 0.1, exit: 0.35 },
    support: { docs: 0.3, exit: 0.7 },
    careers: { exit: 1 },
    cart: { checkout: 0.3, product: 0.3, exit: 0.4 },
    checkout: { thanks: 0.4, exit: 0.6 },
    thanks: { docs: 0.3, exit: 0.7 },
    contact: { exit: 1 },
  },
  support: {
    home: { support: 0.5, docs: 0.15, contact: 0.15, product: 0.05, exit: 0.15 },
    listing: { product: 0.3, support: 0.3, exit: 0.4 },
    product: { support: 0.3, docs: 0.2, exit: 0.5 },
    pricing: { support: 0.3, exit: 0.7 },
    docs: { docs: 0.3, support: 0.3, contact: 0.1, exit: 0.3 },
    blog: { support: 0.3, exit: 0.7 },
    support: { docs: 0.25, contact: 0.3, support: 0.1, exit: 0.35 },
    careers: { exit: 1 },
    cart: { support: 0.5, exit: 0.5 },
    checkout: { support: 0.4, exit: 0.6 },
    thanks: { exit: 1 },
    contact: { support: 0.1, exit: 0.9 },
  },
  jobs: {
    home: { careers: 0.6, blog: 0.1, listing: 0.05, exit: 0.25 },
    listing: { careers: 0.3, product: 0.2, exit: 0.5 },
    product: { careers: 0.3, listing: 0.1, exit: 0.6 },
    pricing: { careers: 0.3, exit: 0.7 },
    docs: { careers: 0.3, exit: 0.7 },
    blog: { careers: 0.35, blog: 0.15, exit: 0.5 },
    support: { careers: 0.3, exit: 0.7 },
    careers: { careers: 0.25, blog: 0.1, home: 0.1, contact: 0.05, exit: 0.5 },
    cart: { exit: 1 },
    checkout: { exit: 1 },
    thanks: { exit: 1 },
    contact: { careers: 0.2, exit: 0.8 },
  },
  browse: {
    home: { listing: 0.25, blog: 0.25, product: 0.1, pricing: 0.05, careers: 0.02, exit: 0.33 },
    listing: { product: 0.35, listing: 0.1, home: 0.1, exit: 0.45 },
    product: { product: 0.2, listing: 0.15, cart: 0.04, blog: 0.05, exit: 0.56 },
    pricing: { home: 0.1, product: 0.1, exit: 0.8 },
    docs: { blog: 0.2, exit: 0.8 },
    blog: { blog: 0.35, home: 0.1, product: 0.1, exit: 0.45 },
    support: { home: 0.1, exit: 0.9 },
    careers: { blog: 0.2, exit: 0.8 },
    cart: { checkout: 0.15, product: 0.3, exit: 0.55 },
    checkout: { thanks: 0.3, exit: 0.7 },
    thanks: { exit: 1 },
    contact: { exit: 1 },
  },
};

/** Where each intent's first page view lands. */
export const ENTRY: Record<Intent, Partial<Record<Category, number>>> = {
  buy: { home: 0.35, listing: 0.25, product: 0.35, pricing: 0.05 },
  research: { home: 0.25, product: 0.2, pricing: 0.2, blog: 0.2, docs: 0.15 },
  support: { home: 0.3, support: 0.45, docs: 0.25 },
  jobs: { home: 0.3, careers: 0.6, blog: 0.1 },
  browse: { home: 0.4, blog: 0.4, listing: 0.1, product: 0.1 },
};

/** Median seconds on a page of each category, before the intent's interest multiplier. */
export const BASE_DWELL_S: Record<Category, number> = {
  home: 12, listing: 20, product: 35, pricing: 40, docs: 60, blog: 70, support: 35, careers: 45, cart: 20, checkout: 75, thanks: 10, contact: 40,
};

export interface IntentBehaviour {
  /** Multiplier on dwell per category the intent cares about (1 when absent). */
  interest: Partial<Record<Category, number>>;
  /** Spread (sigma of log) of dwell times. */
  dwellSigma: number;
  /** 0..1: how far down a page this intent tends to scroll. */
  scrollPropensity: number;
  /** Mean number of in-page clicks per page (beyond the click that navigates). */
  clicksPerPage: number;
  /** Median reading speed in words per minute on text pages. */
  readingWpm: number;
  /** Mouse pauses over 500 ms per minute on desktop (hesitation). */
  hesitationsPerMin: number;
  /** Sections whose visible time this intent stretches. */
  sectionFocus: readonly string[];
  /** Chance of a second session on a later day. */
  returnRate: number;
}

export const BEHAVIOUR: Record<Intent, IntentBehaviour> = {
  buy: { interest: { product: 1.3, cart: 1.2, checkout: 1.2, docs: 0.6, blog: 0.5 }, dwellSigma: 0.6, scrollPropensity: 0.65, clicksPerPage: 1.5, readingWpm: 380, hesitationsPerMin: 2, sectionFocus: ['product-overview', 'product-gallery', 'reviews', 'product-grid', 'cart-items', 'checkout-form', 'order-summary'], returnRate: 0.25 },
  research: { interest: { product: 1.5, pricing: 1.8, docs: 1.8, blog: 1.5, listing: 1.3 }, dwellSigma: 0.55, scrollPropensity: 0.85, clicksPerPage: 2, readingWpm: 230, hesitationsPerMin: 5, sectionFocus: ['specs', 'reviews', 'pricing-plans', 'plan-comparison', 'pricing-faq', 'article-body', 'docs-nav'], returnRate: 0.4 },
  support: { interest: { support: 1.6, docs: 1.4, contact: 1.3, product: 0.6, blog: 0.5 }, dwellSigma: 0.6, scrollPropensity: 0.55, clicksPerPage: 1, readingWpm: 300, hesitationsPerMin: 4, sectionFocus: ['faq', 'support-form', 'contact-form', 'article-body'], returnRate: 0.2 },
  jobs: { interest: { careers: 2, blog: 0.8, home: 0.8, product: 0.5 }, dwellSigma: 0.6, scrollPropensity: 0.75, clicksPerPage: 1, readingWpm: 260, hesitationsPerMin: 3, sectionFocus: ['job-list', 'benefits', 'application'], returnRate: 0.3 },
  browse: { interest: { home: 0.8, listing: 0.6, product: 0.5, pricing: 0.4, docs: 0.4, blog: 0.8 }, dwellSigma: 0.8, scrollPropensity: 0.4, clicksPerPage: 0.6, readingWpm: 550, hesitationsPerMin: 1, sectionFocus: ['hero', 'featured', 'testimonials', 'article-body', 'product-grid'], returnRate: 0.15 },
};

/** Chance, per visit of a page, that a visitor of an intent submits that page's form (checkout: see the chain). */
export const FORM_SUBMIT: Record<Intent, Partial<Record<Category, number>>> = {
  buy: { contact: 0.15, support: 0.1, pricing: 0.03, home: 0.02 },
  research: { pricing: 0.25, contact: 0.3, blog: 0.08, home: 0.05 },
  support: { support: 0.45, contact: 0.25 },
  jobs: { careers: 0.4, contact: 0.1 },
  browse: { home: 0.04, blog: 0.06, contact: 0.05, pricing: 0.02 },
};

/** Chance that a visitor who does not submit still starts filling the form (then abandons). */
export const FORM_ABANDON: Record<Intent, number> = { buy: 0.1, research: 0.15, support: 0.25, jobs: 0.2, browse: 0.05 };

/** Outcomes, most valuable first: a session's ground-truth conversion is the first it reached. */
export const OUTCOMES = ['purchase', 'signup', 'contact', 'apply', 'support_request', 'newsletter'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface FormSpec {
  form: string;
  fields: number;
  first: string;
  outcome: Outcome;
  /** The demo's forms (but the newsletter) go on to thanks.html. */
  navigates: boolean;
}
/** The form on each page (web/demo/); checkout is submitted exactly when the chain goes on to thanks. */
export const FORMS: Partial<Record<Category, FormSpec>> = {
  home: { form: 'newsletter-form', fields: 1, first: 'email', outcome: 'newsletter', navigates: false },
  blog: { form: 'newsletter-form', fields: 1, first: 'email', outcome: 'newsletter', navigates: false },
  pricing: { form: 'trial-form', fields: 4, first: 'full_name', outcome: 'signup', navigates: true },
  support: { form: 'support-form', fields: 5, first: 'full_name', outcome: 'support_request', navigates: true },
  contact: { form: 'contact-form', fields: 7, first: 'full_name', outcome: 'contact', navigates: true },
  careers: { form: 'application-form', fields: 5, first: 'role', outcome: 'apply', navigates: true },
  checkout: { form: 'checkout-form', fields: 12, first: 'email', outcome: 'purchase', navigates: true },
};

/** The form of one page, if it has one (of the blog, only the index has the newsletter form). */
export function formOf(category: Category, file: string): FormSpec | undefined {
  return category === 'blog' && file !== 'blog.html' ? undefined : FORMS[category];
}

/** Chance of putting something in the cart on a product page without going to the cart at once. */
export const ADD_TO_CART_AND_STAY: Record<Intent, number> = { buy: 0.2, research: 0.03, support: 0, jobs: 0, browse: 0.03 };

export interface ClickTarget { tag: string; text?: string; id?: string; classes?: string[]; augur?: Record<string, string> }
/** In-page interactions per category (navigation and add-to-cart clicks are generated from the path). */
export const CLICK_TARGETS: Record<Category, readonly ClickTarget[]> = {
  home: [{ tag: 'svg', classes: ['art'] }, { tag: 'p', classes: ['lead'] }],
  listing: [
    { tag: 'button', text: 'Camping', augur: { action: 'filter-category' } },
    { tag: 'button', text: 'Footwear', augur: { action: 'filter-category' } },
    { tag: 'svg', classes: ['art'] },
  ],
  product: [{ tag: 'svg', classes: ['art'] }, { tag: 'input', id: 'qty' }, { tag: 'summary', text: 'Specifications' }],
  pricing: [
    { tag: 'button', text: 'Yearly', augur: { action: 'billing-toggle' } },
    { tag: 'button', text: 'What happens when the trial ends?', augur: { action: 'faq-toggle', item: 'trial-end' } },
    { tag: 'button', text: 'Can I switch plans later?', augur: { action: 'faq-toggle', item: 'switch-plan' } },
  ],
  docs: [{ tag: 'a', text: 'Plan your first route', classes: ['docs-nav-link'] }, { tag: 'button', text: 'Yes', augur: { action: 'docs-feedback', value: 'yes' } }, { tag: 'code' }],
  blog: [{ tag: 'svg', classes: ['art'] }, { tag: 'p' }],
  support: [
    { tag: 'button', text: 'How do returns work?', augur: { action: 'faq-toggle', item: 'returns' } },
    { tag: 'button', text: 'When will my order ship?', augur: { action: 'faq-toggle', item: 'shipping' } },
    { tag: 'button', text: 'Which size should I order?', augur: { action: 'faq-toggle', item: 'sizing' } },
  ],
  careers: [{ tag: 'a', text: 'Apply', classes: ['btn'], augur: { action: 'apply' } }, { tag: 'li', classes: ['job'] }],
  cart: [{ tag: 'button', text: '+', augur: { action: 'cart-increase' } }, { tag: 'button', text: '−', augur: { action: 'cart-decrease' } }],
  checkout: [{ tag: 'input', id: 'c-email' }, { tag: 'select', id: 'c-country' }, { tag: 'input', id: 'c-card' }],
  thanks: [{ tag: 'svg', classes: ['art'] }],
  contact: [{ tag: 'select', id: 'k-size' }, { tag: 'textarea', id: 'k-msg' }],
};

/** data-augur-action of the links that lead to a category (null: a plain link). */
export const NAV_ACTION: Partial<Record<Category, string>> = {
  product: 'view-product', pricing: 'view-pricing', cart: 'view-cart', contact: 'contact-sales', docs: 'read-docs', listing: 'shop-now', checkout: 'begin-checkout',
};

/** How a returning visitor's intent can drift between sessions (research often turns into buying). */
export const RETURN_INTENT: Record<Intent, Partial<Record<Intent, number>>> = {
  buy: { buy: 0.8, support: 0.15, browse: 0.05 },
  research: { research: 0.55, buy: 0.35, support: 0.1 },
  support: { support: 0.7, buy: 0.2, browse: 0.1 },
  jobs: { jobs: 0.9, browse: 0.1 },
  browse: { browse: 0.7, buy: 0.15, research: 0.15 },
};

/** Maximum pages per session, so a pathological chain cannot loop forever. */
export const MAX_PAGES = 30;
