const LOCK_PATH =
  'M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 5a3 3 0 1 1 6 0v3H9V7Zm3 7a2 2 0 0 1 1 3.73V19h-2v-1.27A2 2 0 0 1 12 14Z';

/** The padlock shown on the card; decorative, so hidden from assistive technology. */
export const LOCK_ICON =
  '<svg viewBox="0 0 24 24" width="28" height="28" focusable="false" aria-hidden="true">' +
  `<path fill="currentColor" d="${LOCK_PATH}"/></svg>`;

/** The page's favicon (`<path>/static/icon.svg`): the padlock on the accent colour. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="8" fill="#2f5bd3"/>' +
  `<path transform="translate(4 4)" fill="#fff" d="${LOCK_PATH}"/></svg>\n`;
