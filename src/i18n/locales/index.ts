/** Every catalogue by language: locales/<language>/<namespace>.ts (common, errors, live, register, training). */
import { catalogueEn } from './en/index.ts';
import { catalogueFr } from './fr/index.ts';

export const catalogues = { fr: catalogueFr, en: catalogueEn };
