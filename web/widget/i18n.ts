// Built-in texts (en, de, fr) and the choice of language. The site owner's texts from the banner configuration
// override the title, the description and the category explanations.

export type Category = 'analytics' | 'marketing' | 'personalization';
export type Texts = {
  title: string;
  description: string;
  accept: string;
  reject: string;
  customize: string;
  save: string;
  policy: string;
  settings: string;
  alwaysOn: string;
  /** The visitor's data rights (shown with a visitor token): download, delete, the confirmation, its buttons, failure. */
  download: string;
  erase: string;
  confirm: string;
  yes: string;
  no: string;
  failed: string;
  /** [label, explanation] per category. */
  necessary: [string, string];
} & Record<Category, [string, string]>;
export type SiteTexts = Partial<Record<'title' | 'description' | Category, string>>;

const BUILT_IN: Record<string, Texts> = {
  en: {
    title: 'Your privacy choices',
    description: 'This site would like to measure how it is used and personalise your visit. Nothing optional happens until you choose, and you can change your mind any time under “Privacy settings”.',
    accept: 'Accept all',
    reject: 'Reject all',
    customize: 'Customize',
    save: 'Save choices',
    policy: 'Privacy policy',
    settings: 'Privacy settings',
    alwaysOn: 'Always on',
    download: 'Download my data',
    erase: 'Delete my data',
    confirm: 'Delete everything this site has stored about you? This cannot be undone.',
    yes: 'Delete',
    no: 'Cancel',
    failed: 'That did not work. Please try again.',
    necessary: ['Necessary', 'Needed for the site to work and to remember this choice.'],
    analytics: ['Analytics', 'Counts visits and measures how pages are used, so the site can be improved.'],
    marketing: ['Marketing', 'Measures the success of the campaigns and ads that brought you here.'],
    personalization: ['Personalization', 'Remembers your interests to suggest relevant content and products.'],
  },
  de: {
    title: 'Ihre Datenschutz-Einstellungen',
    description: 'Diese Website möchte messen, wie sie genutzt wird, und Ihren Besuch personalisieren. Optionales geschieht erst nach Ihrer Wahl, und Sie können sie jederzeit unter „Datenschutz-Einstellungen“ ändern.',
    accept: 'Alle akzeptieren',
    reject: 'Alle ablehnen',
    customize: 'Anpassen',
    save: 'Auswahl speichern',
    policy: 'Datenschutzerklärung',
    settings: 'Datenschutz-Einstellungen',
    alwaysOn: 'Immer aktiv',
    download: 'Meine Daten herunterladen',
    erase: 'Meine Daten löschen',
    confirm: 'Alles löschen, was diese Website über Sie gespeichert hat? Das lässt sich nicht rückgängig machen.',
    yes: 'Löschen',
    no: 'Abbrechen',
    failed: 'Das hat nicht geklappt. Bitte versuchen Sie es erneut.',
    necessary: ['Notwendig', 'Für den Betrieb der Website und um diese Wahl zu speichern.'],
    analytics: ['Statistik', 'Zählt Besuche und misst, wie Seiten genutzt werden, damit die Website besser wird.'],
    marketing: ['Marketing', 'Misst den Erfolg der Kampagnen und Anzeigen, über die Sie hierher kamen.'],
    personalization: ['Personalisierung', 'Merkt sich Ihre Interessen, um passende Inhalte und Produkte vorzuschlagen.'],
  },
  fr: {
    title: 'Vos choix de confidentialité',
    description: 'Ce site souhaite mesurer son utilisation et personnaliser votre visite. Rien d’optionnel n’a lieu avant votre choix, que vous pouvez modifier à tout moment via « Paramètres de confidentialité ».',
    accept: 'Tout accepter',
    reject: 'Tout refuser',
    customize: 'Personnaliser',
    save: 'Enregistrer mes choix',
    policy: 'Politique de confidentialité',
    settings: 'Paramètres de confidentialité',
    alwaysOn: 'Toujours actif',
    download: 'Télécharger mes données',
    erase: 'Supprimer mes données',
    confirm: 'Supprimer tout ce que ce site a enregistré à votre sujet ? C’est irréversible.',
    yes: 'Supprimer',
    no: 'Annuler',
    failed: 'Cela n’a pas fonctionné. Veuillez réessayer.',
    necessary: ['Nécessaires', 'Indispensables au fonctionnement du site et pour mémoriser ce choix.'],
    analytics: ['Mesure d’audience', 'Compte les visites et mesure l’utilisation des pages pour améliorer le site.'],
    marketing: ['Marketing', 'Mesure l’efficacité des campagnes et publicités qui vous ont amené ici.'],
    personalization: ['Personnalisation', 'Retient vos centres d’intérêt pour suggérer des contenus et produits pertinents.'],
  },
};

/** The first of the preferred languages (e.g. "de-AT" → "de") that is built in; else English. */
export const pickLang = (...preferred: (string | null | undefined)[]) => {
  for (const tag of preferred) {
    const base = String(tag || '').toLowerCase().split(/[-_]/)[0]!;
    if (BUILT_IN[base]) return base;
  }
  return 'en';
};

/** The built-in texts of lang, with the site's own texts for that language laid over them. */
export const textsFor = (lang: string, site?: Record<string, SiteTexts>): Texts => {
  const t: Texts = { ...BUILT_IN[lang]! };
  const own = (site && site[lang]) || {};
  if (own.title) t.title = own.title;
  if (own.description) t.description = own.description;
  (['analytics', 'marketing', 'personalization'] as const).forEach((c) => {
    if (own[c]) t[c] = [t[c][0], own[c]!];
  });
  return t;
};
