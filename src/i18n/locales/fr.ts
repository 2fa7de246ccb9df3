/** Interface texts in French (the reference language). */
export const fr = {
  app: {
    name: 'Sans Objection',
    tagline: 'La décision par consentement, de la séance au registre.',
    skip: 'Aller au contenu',
    language: 'Langue',
    switch_to: 'English',
  },
  home: {
    title: 'Décider ensemble, sans que personne ne dise non',
    lead:
      "Sans Objection accompagne un groupe dans une décision par consentement : présentation de la proposition, tours de clarification et de réactions, bonification, tour d'objections, test et intégration de chaque objection, jusqu'à l'adoption. Chaque objection et la façon dont elle a été traitée sont conservées dans un registre que les élus et élues peuvent consulter et vérifier.",
    consensus_title: 'Consensus',
    consensus: 'Tout le monde dit oui.',
    consent_title: 'Consentement',
    consent: 'Personne ne dit non : une objection argumentée se traite, elle ne se vote pas.',
    for_teams_title: 'Pour les équipes territoriales',
    for_teams: "Une console d'animation, une vue participant·e sur téléphone, une vue projetée avec QR code, des tours de parole qui respectent la méthode.",
    for_trainers_title: 'Pour les formateurs et formatrices',
    for_trainers: 'Des scénarios issus de l’Atelier 3 et de « C’est mon choix », et la comparaison côte à côte du consensus, du consentement et du vote à la majorité.',
    for_officials_title: 'Pour les élus et élues',
    for_officials: 'Un registre des décisions consultable, imprimable, exportable, dont on peut prouver qu’il n’a pas été modifié.',
    advisory: 'Une décision par consentement prise dans une collectivité est un avis consultatif : le conseil décide par délibération.',
  },
  errors: {
    not_found_title: 'Page introuvable',
    not_found: "La page demandée n'existe pas ou a été déplacée.",
    server_title: 'Erreur du serveur',
    server: "Une erreur inattendue s'est produite. Elle a été enregistrée ; vous pouvez réessayer dans un instant.",
    too_large_title: 'Envoi trop volumineux',
    too_large: 'Le contenu envoyé dépasse la taille autorisée. Raccourcissez le texte et réessayez.',
    bad_request_title: 'Requête invalide',
    bad_request: "La requête n'a pas pu être comprise.",
    forbidden_title: 'Accès refusé',
    forbidden: "Vous n'avez pas le droit d'effectuer cette action.",
    back_home: "Retour à l'accueil",
    reference: 'Référence de la requête',
  },
} as const;

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type Messages = Widen<typeof fr>;
