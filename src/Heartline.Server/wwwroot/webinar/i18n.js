// Korean first, English available (?lang=en or the language button). Every string goes in with textContent.
const STORAGE_KEY = 'heartline.lang';

export function currentLanguage() {
  const fromQuery = new URLSearchParams(location.search).get('lang');
  if (fromQuery === 'ko' || fromQuery === 'en') return fromQuery;
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ko';
}

/** Applies the dictionary to every element with data-i18n (text) or data-i18n-placeholder. */
export function applyLanguage(dictionary, language) {
  const strings = dictionary[language];
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    const text = strings[element.dataset.i18n];
    if (text !== undefined) element.textContent = text;
  }
  for (const element of document.querySelectorAll('[data-i18n-placeholder]')) {
    const text = strings[element.dataset.i18nPlaceholder];
    if (text !== undefined) element.placeholder = text;
  }
  return (key, ...args) => {
    const text = strings[key] ?? dictionary.en[key] ?? key;
    return args.reduce((s, arg, i) => s.replaceAll(`{${i}}`, String(arg)), text);
  };
}

export function toggleLanguage(language) {
  const next = language === 'ko' ? 'en' : 'ko';
  localStorage.setItem(STORAGE_KEY, next);
  return next;
}

/** Creates an element with text, never parsing HTML. */
export function el(tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined && text !== null) element.textContent = String(text);
  if (className) element.className = className;
  return element;
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
