/** Pages read as a person reads them, for the assertions of HTTP tests. */

/** The page's text as a reader sees it: EJS escapes apostrophes, quotes and ampersands. */
export const readable = (html: string): string => html.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');

/** The same, with the non-breaking spaces of French typography read as plain spaces. */
export const readableSpaced = (html: string): string => readable(html).replace(/[\u00a0\u202f]/g, ' ');
