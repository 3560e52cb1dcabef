//! The words of mails and mail-link pages in the site's language (English,
//! French and Persian; other languages fall back to English words but keep
//! their direction), and the writing direction of a language tag.

/// The words one language uses. `{page}` and `{author}` are filled in.
pub struct Words {
    pub subject_new: &'static str,
    pub subject_held: &'static str,
    pub wrote: &'static str,
    pub held_because: &'static str,
    pub reason_links: &'static str,
    pub reason_blocklist: &'static str,
    pub reason_first_time: &'static str,
    pub reason_all: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub spam: &'static str,
    pub links_note: &'static str,
    pub subject_confirm: &'static str,
    pub confirm_text: &'static str,
    pub confirm: &'static str,
    pub confirm_ignore: &'static str,
    pub subject_reply: &'static str,
    pub replied: &'static str,
    pub read_on_page: &'static str,
    pub unsubscribe: &'static str,
    pub manage: &'static str,
    pub done: &'static str,
    pub used: &'static str,
    pub invalid: &'static str,
    /// The title of a mail-link page when the service failed.
    pub failed: &'static str,
    pub confirmed: &'static str,
    pub unsubscribed: &'static str,
    pub your_subscriptions: &'static str,
    pub none_left: &'static str,
    pub pending_confirmation: &'static str,
}

const EN: Words = Words {
    subject_new: "New comment on {page}",
    subject_held: "A comment waits for moderation on {page}",
    wrote: "{author} wrote on {page}:",
    held_because: "Held because",
    reason_links: "it has too many links",
    reason_blocklist: "it contains a blocked word",
    reason_first_time: "it is this commenter's first comment",
    reason_all: "every comment is moderated",
    approve: "Approve",
    reject: "Reject",
    spam: "Mark as spam",
    links_note: "Each link asks for confirmation first, works once and expires in 7 days.",
    subject_confirm: "Confirm: replies to your comment on {page}",
    confirm_text: "You asked to be told by mail about replies to your comment on {page}.",
    confirm: "Confirm",
    confirm_ignore: "If it was not you, ignore this mail: nothing else will be sent to you.",
    subject_reply: "{author} replied to your comment on {page}",
    replied: "{author} replied to your comment on {page}:",
    read_on_page: "Read it on the page",
    unsubscribe: "Unsubscribe",
    manage: "Manage your subscriptions",
    done: "Done.",
    used: "This link has already been used.",
    invalid: "This link is not valid or has expired.",
    failed: "Something went wrong; try the link again later.",
    confirmed: "Confirmed: you will get a mail for each reply.",
    unsubscribed: "Unsubscribed: no more mails about this comment.",
    your_subscriptions: "Your subscriptions",
    none_left: "You have no subscriptions.",
    pending_confirmation: "not confirmed",
};

const FR: Words = Words {
    subject_new: "Nouveau commentaire sur {page}",
    subject_held: "Un commentaire attend la modération sur {page}",
    wrote: "{author} a écrit sur {page} :",
    held_because: "Retenu parce que",
    reason_links: "il contient trop de liens",
    reason_blocklist: "il contient un mot bloqué",
    reason_first_time: "c'est le premier commentaire de cette personne",
    reason_all: "tous les commentaires sont modérés",
    approve: "Approuver",
    reject: "Refuser",
    spam: "Marquer comme spam",
    links_note: "Chaque lien demande d'abord confirmation, ne sert qu'une fois et expire dans 7 jours.",
    subject_confirm: "Confirmez : réponses à votre commentaire sur {page}",
    confirm_text: "Vous avez demandé à être prévenu par courriel des réponses à votre commentaire sur {page}.",
    confirm: "Confirmer",
    confirm_ignore: "Si ce n'était pas vous, ignorez ce message : rien d'autre ne vous sera envoyé.",
    subject_reply: "{author} a répondu à votre commentaire sur {page}",
    replied: "{author} a répondu à votre commentaire sur {page} :",
    read_on_page: "Lire sur la page",
    unsubscribe: "Se désabonner",
    manage: "Gérer vos abonnements",
    done: "C'est fait.",
    used: "Ce lien a déjà servi.",
    invalid: "Ce lien n'est pas valide ou a expiré.",
    failed: "Une erreur est survenue ; réessayez le lien plus tard.",
    confirmed: "Confirmé : vous recevrez un courriel pour chaque réponse.",
    unsubscribed: "Désabonné : plus aucun courriel pour ce commentaire.",
    your_subscriptions: "Vos abonnements",
    none_left: "Vous n'avez aucun abonnement.",
    pending_confirmation: "non confirmé",
};

const FA: Words = Words {
    subject_new: "دیدگاه تازه در {page}",
    subject_held: "دیدگاهی در {page} در انتظار بررسی است",
    wrote: "{author} در {page} نوشت:",
    held_because: "دلیل نگه‌داشتن",
    reason_links: "پیوندهای زیادی دارد",
    reason_blocklist: "واژه‌ای مسدود در آن هست",
    reason_first_time: "نخستین دیدگاه این نویسنده است",
    reason_all: "همهٔ دیدگاه‌ها بررسی می‌شوند",
    approve: "پذیرفتن",
    reject: "رد کردن",
    spam: "هرزنامه",
    links_note: "هر پیوند نخست تأیید می‌خواهد، یک بار کار می‌کند و پس از ۷ روز باطل می‌شود.",
    subject_confirm: "تأیید: پاسخ‌ها به دیدگاه شما در {page}",
    confirm_text: "خواسته‌اید پاسخ‌ها به دیدگاهتان در {page} با ایمیل به شما خبر داده شود.",
    confirm: "تأیید",
    confirm_ignore: "اگر شما نبودید، این نامه را نادیده بگیرید: چیز دیگری فرستاده نمی‌شود.",
    subject_reply: "{author} به دیدگاه شما در {page} پاسخ داد",
    replied: "{author} به دیدگاه شما در {page} پاسخ داد:",
    read_on_page: "خواندن در صفحه",
    unsubscribe: "لغو اشتراک",
    manage: "مدیریت اشتراک‌ها",
    done: "انجام شد.",
    used: "این پیوند پیش‌تر به کار رفته است.",
    invalid: "این پیوند معتبر نیست یا باطل شده است.",
    failed: "خطایی رخ داد؛ بعداً دوباره پیوند را بیازمایید.",
    confirmed: "تأیید شد: برای هر پاسخ نامه‌ای می‌گیرید.",
    unsubscribed: "اشتراک لغو شد: دیگر نامه‌ای دربارهٔ این دیدگاه نمی‌آید.",
    your_subscriptions: "اشتراک‌های شما",
    none_left: "اشتراکی ندارید.",
    pending_confirmation: "تأیید نشده",
};

/// The words of `lang` (its primary subtag), English when there are none.
pub fn words(lang: &str) -> &'static Words {
    match primary(lang).as_str() {
        "fr" => &FR,
        "fa" => &FA,
        _ => &EN,
    }
}

pub use crate::words::dir;
use crate::words::primary;

/// `template` with `{page}` and `{author}` replaced.
pub fn fill(template: &str, page: &str, author: &str) -> String {
    template.replace("{page}", page).replace("{author}", author)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_is_right_to_left_and_has_its_words() {
        assert_eq!(dir("fa-IR"), "rtl");
        assert_eq!(dir("en"), "ltr");
        assert_eq!(words("fa").approve, "پذیرفتن");
        assert_eq!(words("de").approve, "Approve");
        assert_eq!(dir("ar"), "rtl");
    }
}
