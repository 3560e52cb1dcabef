//! French words of the service's pages.

use super::Reader;

pub const READER: Reader = Reader {
    your_comment: "Votre commentaire",
    published: "Merci, votre commentaire est publié. Il apparaîtra sur la page dans un instant.",
    held: "Merci, votre commentaire attend la modération. Tant qu’il n’est pas approuvé, vous seul le voyez, ici.",
    pending: "En attente de modération",
    back: "Retour à la page",
    nothing: "Il n’y a ici aucun commentaire de vous à montrer.",
    owner: "auteur",
};
