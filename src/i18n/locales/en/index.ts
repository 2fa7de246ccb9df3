/** The English catalogue, one file per namespace, joined under its key as the French one. */
import { en } from './common.ts';
import { errorsEn } from './errors.ts';
import { liveEn } from './live.ts';
import { registerEn } from './register.ts';
import { trainingEn } from './training.ts';
import { seanceEn } from './seance.ts';

export const catalogueEn = { ...en, live: liveEn, register: registerEn, training: trainingEn, seance: seanceEn, errors: { ...en.errors, ...errorsEn } };
