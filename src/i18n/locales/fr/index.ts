/** The French catalogue (reference), one file per namespace, joined under its key. */
import { fr } from './common.ts';
import { errorsFr } from './errors.ts';
import { liveFr } from './live.ts';
import { registerFr } from './register.ts';
import { trainingFr } from './training.ts';
import { seanceFr } from './seance.ts';

// The consent core names its refusals by code; their texts join the catalogue under errors.<code>.
export const catalogueFr = { ...fr, live: liveFr, register: registerFr, training: trainingFr, seance: seanceFr, errors: { ...fr.errors, ...errorsFr } };
