import type { Messages } from './fr.ts';

/** Interface texts in English (second language). */
export const en: Messages = {
  app: {
    name: 'Sans Objection',
    tagline: 'Consent decision-making, from the meeting to the register.',
    skip: 'Skip to content',
    language: 'Language',
    switch_to: 'Français',
  },
  home: {
    title: 'Deciding together, with nobody saying no',
    lead:
      'Sans Objection walks a group through a consent decision: presenting the proposal, clarifying and reaction rounds, improvement, the objection round, testing and integrating each objection, up to adoption. Every objection and how it was resolved is kept in a register that elected officials can read and verify.',
    consensus_title: 'Consensus',
    consensus: 'Everybody says yes.',
    consent_title: 'Consent',
    consent: 'Nobody says no: a reasoned objection is worked with, not outvoted.',
    for_teams_title: 'For local authority teams',
    for_teams: 'A facilitator console, a phone view for participants, a projector view with a QR code, and rounds that follow the method.',
    for_trainers_title: 'For trainers',
    for_trainers: 'Scenarios from Atelier 3 and “C’est mon choix”, and a side-by-side comparison of consensus, consent and majority vote.',
    for_officials_title: 'For elected officials',
    for_officials: 'A decision register you can search, print and export, with proof that it was not altered.',
    advisory: 'A consent decision taken in a local authority is advisory: the council decides by resolution.',
  },
  errors: {
    not_found_title: 'Page not found',
    not_found: 'The page you asked for does not exist or has moved.',
    server_title: 'Server error',
    server: 'Something unexpected went wrong. It has been logged; please try again in a moment.',
    too_large_title: 'Request too large',
    too_large: 'What you sent is larger than allowed. Shorten the text and try again.',
    bad_request_title: 'Bad request',
    bad_request: 'The request could not be understood.',
    forbidden_title: 'Access denied',
    forbidden: 'You are not allowed to do this.',
    back_home: 'Back to the home page',
    reference: 'Request reference',
  },
};
