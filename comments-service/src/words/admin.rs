//! The words of the owner's pages (`/admin`, its sign-in and refusals) in
//! English, French and Persian, so the owner reads the site's language too.

/// Every word the moderation pages show.
pub struct Admin {
    pub title: &'static str,
    pub sign_in_title: &'static str,
    pub token: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub off_title: &'static str,
    /// Before the `admin_token` key's name.
    pub off_set: &'static str,
    /// After it.
    pub off_use: &'static str,
    pub sign_in_again: &'static str,
    pub too_long: &'static str,
    pub wrong_token: &'static str,
    pub refused: &'static str,
    pub other_site: &'static str,
    pub expired: &'static str,
    pub page: &'static str,
    pub search: &'static str,
    pub filter: &'static str,
    pub clear: &'static str,
    pub showing: &'static str,
    pub on: &'static str,
    pub matching: &'static str,
    pub changed: &'static str,
    pub your_reply: &'static str,
    pub is_published: &'static str,
    pub with_selected: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub spam: &'static str,
    pub delete: &'static str,
    pub nothing: &'static str,
    pub col_id: &'static str,
    pub col_author: &'static str,
    pub col_page: &'static str,
    pub col_comment: &'static str,
    pub select: &'static str,
    pub held: &'static str,
    pub via: &'static str,
    pub reply_to: &'static str,
    pub by: &'static str,
    pub reply_as_author: &'static str,
    pub your_name: &'static str,
    pub reply_body: &'static str,
    pub publish_reply: &'static str,
    /// The status tabs, in [`TABS`] order.
    pub tabs: [&'static str; 6],
    /// Why a comment is held: links, blocklist, first-time, all, other.
    pub reasons: [&'static str; 5],
    /// The kinds: comment, reply, like, repost, bookmark, mention.
    pub kinds: [&'static str; 6],
}

/// The status names, as the store and the URLs spell them.
pub const TABS: [&str; 6] = ["pending", "approved", "spam", "rejected", "deleted", "all"];
const KINDS: [&str; 6] = ["comment", "reply", "like", "repost", "bookmark", "mention"];
const REASONS: [&str; 4] = ["links", "blocklist", "first-time", "all"];

impl Admin {
    /// The shown name of a status (`pending`, …, `all`).
    pub fn status(&self, s: &str) -> &'static str {
        TABS.iter()
            .position(|t| *t == s)
            .map_or("", |i| self.tabs[i])
    }

    /// The shown name of a kind (`comment`, `like`, …).
    pub fn kind(&self, k: &str) -> &'static str {
        KINDS
            .iter()
            .position(|t| *t == k)
            .map_or("", |i| self.kinds[i])
    }

    /// Why a comment is held, in words.
    pub fn reason(&self, r: &str) -> &'static str {
        let i = REASONS.iter().position(|t| *t == r).unwrap_or(4);
        self.reasons[i]
    }
}

pub const EN: Admin = Admin {
    title: "Comment moderation",
    sign_in_title: "Comment moderation: sign in",
    token: "Admin token",
    sign_in: "Sign in",
    sign_out: "Sign out",
    off_title: "Moderation is off",
    off_set: "Set",
    off_use: "in the configuration to use this page.",
    sign_in_again: "Please sign in again.",
    too_long: "That was too long.",
    wrong_token: "That token is not right.",
    refused: "Refused",
    other_site: "This form was sent from another site.",
    expired: "The form has expired; reload the page.",
    page: "Page",
    search: "Search",
    filter: "Filter",
    clear: "Clear",
    showing: "Showing:",
    on: "on",
    matching: "matching",
    changed: "changed.",
    your_reply: "Your reply",
    is_published: "is published.",
    with_selected: "With the selected:",
    approve: "Approve",
    reject: "Reject",
    spam: "Mark as spam",
    delete: "Delete",
    nothing: "Nothing here.",
    col_id: "id",
    col_author: "author",
    col_page: "page",
    col_comment: "comment",
    select: "select comment",
    held: "held:",
    via: "via",
    reply_to: "reply to",
    by: "by",
    reply_as_author: "Reply as the author",
    your_name: "Your name",
    reply_body: "Your reply",
    publish_reply: "Publish the reply",
    tabs: TABS,
    reasons: [
        "too many links",
        "a blocked word",
        "first-time commenter",
        "every comment is moderated",
        "held",
    ],
    kinds: KINDS,
};

pub const FR: Admin = Admin {
    title: "Modération des commentaires",
    sign_in_title: "Modération des commentaires : connexion",
    token: "Jeton d’administration",
    sign_in: "Se connecter",
    sign_out: "Se déconnecter",
    off_title: "La modération est désactivée",
    off_set: "Définissez",
    off_use: "dans la configuration pour utiliser cette page.",
    sign_in_again: "Veuillez vous reconnecter.",
    too_long: "C’était trop long.",
    wrong_token: "Ce jeton n’est pas le bon.",
    refused: "Refusé",
    other_site: "Ce formulaire a été envoyé depuis un autre site.",
    expired: "Le formulaire a expiré ; rechargez la page.",
    page: "Page",
    search: "Rechercher",
    filter: "Filtrer",
    clear: "Effacer",
    showing: "Affichés :",
    on: "sur",
    matching: "contenant",
    changed: "modifié(s).",
    your_reply: "Votre réponse",
    is_published: "est publiée.",
    with_selected: "Pour la sélection :",
    approve: "Approuver",
    reject: "Refuser",
    spam: "Marquer comme spam",
    delete: "Supprimer",
    nothing: "Rien ici.",
    col_id: "n°",
    col_author: "auteur",
    col_page: "page",
    col_comment: "commentaire",
    select: "sélectionner le commentaire",
    held: "retenu :",
    via: "via",
    reply_to: "réponse à",
    by: "de",
    reply_as_author: "Répondre en tant qu’auteur",
    your_name: "Votre nom",
    reply_body: "Votre réponse",
    publish_reply: "Publier la réponse",
    tabs: [
        "en attente",
        "approuvés",
        "spam",
        "refusés",
        "supprimés",
        "tous",
    ],
    reasons: [
        "trop de liens",
        "un mot bloqué",
        "premier commentaire",
        "tous les commentaires sont modérés",
        "retenu",
    ],
    kinds: [
        "commentaire",
        "réponse",
        "j’aime",
        "partage",
        "signet",
        "mention",
    ],
};

pub const FA: Admin = Admin {
    title: "مدیریت دیدگاه‌ها",
    sign_in_title: "مدیریت دیدگاه‌ها: ورود",
    token: "توکن مدیر",
    sign_in: "ورود",
    sign_out: "خروج",
    off_title: "مدیریت خاموش است",
    off_set: "برای استفاده از این صفحه،",
    off_use: "را در پیکربندی تنظیم کنید.",
    sign_in_again: "لطفاً دوباره وارد شوید.",
    too_long: "بیش از اندازه بلند بود.",
    wrong_token: "این توکن درست نیست.",
    refused: "رد شد",
    other_site: "این فرم از سایت دیگری فرستاده شده است.",
    expired: "زمان فرم گذشته است؛ صفحه را دوباره بارگذاری کنید.",
    page: "صفحه",
    search: "جست‌وجو",
    filter: "پالایش",
    clear: "پاک کردن",
    showing: "نمایش:",
    on: "در",
    matching: "شامل",
    changed: "تغییر کرد.",
    your_reply: "پاسخ شما",
    is_published: "منتشر شد.",
    with_selected: "با موارد برگزیده:",
    approve: "تأیید",
    reject: "رد کردن",
    spam: "هرزنامه",
    delete: "حذف",
    nothing: "چیزی اینجا نیست.",
    col_id: "شناسه",
    col_author: "نویسنده",
    col_page: "صفحه",
    col_comment: "دیدگاه",
    select: "برگزیدن دیدگاه",
    held: "نگه داشته شده:",
    via: "از راه",
    reply_to: "پاسخ به",
    by: "از",
    reply_as_author: "پاسخ به عنوان نویسنده",
    your_name: "نام شما",
    reply_body: "پاسخ شما",
    publish_reply: "انتشار پاسخ",
    tabs: ["در انتظار", "تأییدشده", "هرزنامه", "ردشده", "حذف‌شده", "همه"],
    reasons: [
        "پیوندهای زیاد",
        "یک واژهٔ ممنوع",
        "نخستین دیدگاه",
        "همهٔ دیدگاه‌ها بررسی می‌شوند",
        "نگه داشته شده",
    ],
    kinds: ["دیدگاه", "پاسخ", "پسند", "بازنشر", "نشانک", "اشاره"],
};

/// The owner's words in `lang`.
pub fn words(lang: &str) -> &'static Admin {
    match super::primary(lang).as_str() {
        "fr" => &FR,
        "fa" => &FA,
        _ => &EN,
    }
}
