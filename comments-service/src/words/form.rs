//! The words of the no-JS error page and of the refusals embed.js shows, in
//! English, French and Persian. English refusals keep the service's own,
//! more detailed message; the others get one plain sentence per field.

/// The no-JS page that gives a refused comment back.
pub struct Form {
    pub title: &'static str,
    pub problem_with: &'static str,
    pub kept: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub website: &'static str,
    pub honeypot: &'static str,
    pub comment: &'static str,
    pub send_again: &'static str,
    pub back: &'static str,
}

pub const EN: Form = Form {
    title: "Your comment was not sent",
    problem_with: "Problem with",
    kept: "Nothing you typed is lost: correct it below and send it again.",
    name: "Name",
    email: "E-mail (optional, never shown)",
    website: "Website (optional)",
    honeypot: "Leave this empty",
    comment: "Comment",
    send_again: "Send again",
    back: "Back to the page",
};

pub const FR: Form = Form {
    title: "Votre commentaire n’a pas été envoyé",
    problem_with: "Problème avec",
    kept: "Rien de ce que vous avez écrit n’est perdu : corrigez-le ci-dessous et renvoyez-le.",
    name: "Nom",
    email: "E-mail (facultatif, jamais affiché)",
    website: "Site web (facultatif)",
    honeypot: "Laissez ce champ vide",
    comment: "Commentaire",
    send_again: "Renvoyer",
    back: "Retour à la page",
};

pub const FA: Form = Form {
    title: "دیدگاه شما فرستاده نشد",
    problem_with: "مشکل در",
    kept: "چیزی از نوشته‌تان از دست نرفته است: آن را در زیر درست کنید و دوباره بفرستید.",
    name: "نام",
    email: "ایمیل (اختیاری، هرگز نمایش داده نمی‌شود)",
    website: "وب‌سایت (اختیاری)",
    honeypot: "این را خالی بگذارید",
    comment: "دیدگاه",
    send_again: "فرستادن دوباره",
    back: "بازگشت به صفحه",
};

/// A field's name in plain words.
pub fn field(lang: &str, field: &str) -> &'static str {
    let [en, fr, fa] = match field {
        "body" => ["your comment", "votre commentaire", "دیدگاه شما"],
        "author" => ["your name", "votre nom", "نام شما"],
        "email" => [
            "your e-mail address",
            "votre adresse e-mail",
            "نشانی ایمیل شما",
        ],
        "website" => ["your website", "votre site web", "وب‌سایت شما"],
        "page" => ["the page", "la page", "صفحه"],
        "parent" => [
            "the comment you answer",
            "le commentaire auquel vous répondez",
            "دیدگاهی که به آن پاسخ می‌دهید",
        ],
        "started" => ["the timing", "le délai", "زمان‌بندی"],
        "origin" => [
            "where the form came from",
            "la provenance du formulaire",
            "خاستگاه فرم",
        ],
        _ => ["the form", "le formulaire", "فرم"],
    };
    pick(lang, en, fr, fa)
}

/// One plain sentence for a refusal of `field` with `status`, in `lang`;
/// `None` in English (the service's detailed message is used).
pub fn refusal(lang: &str, status: u16, field: &str) -> Option<&'static str> {
    let [fr, fa] = match (field, status) {
        (_, 429) => [
            "Trop de commentaires depuis votre adresse ; réessayez dans un moment.",
            "دیدگاه‌های زیادی از نشانی شما رسیده است؛ کمی بعد دوباره بکوشید.",
        ],
        ("page", 403) => ["Les commentaires sont fermés.", "بخش دیدگاه‌ها بسته است."],
        ("body", _) => [
            "Votre commentaire est vide ou trop long.",
            "دیدگاه شما خالی یا بیش از اندازه بلند است.",
        ],
        ("author", _) => [
            "Indiquez un nom (pas trop long).",
            "نامی بنویسید (نه بیش از اندازه بلند).",
        ],
        ("email", _) => [
            "Cette adresse e-mail n’est pas valide.",
            "این نشانی ایمیل درست نیست.",
        ],
        ("website", _) => [
            "Donnez une adresse qui commence par http:// ou https://.",
            "نشانی‌ای بدهید که با http:// یا https:// آغاز شود.",
        ],
        ("parent", _) => [
            "Le commentaire auquel vous répondez n’existe pas (ou plus).",
            "دیدگاهی که به آن پاسخ می‌دهید وجود ندارد.",
        ],
        ("started", _) => [
            "Le formulaire a été envoyé trop vite ; attendez un instant et renvoyez-le.",
            "فرم خیلی زود فرستاده شد؛ کمی صبر کنید و دوباره بفرستید.",
        ],
        ("origin", _) => [
            "Ce formulaire a été envoyé depuis un autre site.",
            "این فرم از سایت دیگری فرستاده شده است.",
        ],
        ("token", _) => [
            "Vous ne pouvez plus modifier ce commentaire.",
            "دیگر نمی‌توانید این دیدگاه را تغییر دهید.",
        ],
        ("id", _) => [
            "Ce commentaire n’existe pas (ou plus).",
            "این دیدگاه وجود ندارد.",
        ],
        ("page", _) => [
            "Cette page n’accepte pas de commentaires ici.",
            "این صفحه در اینجا دیدگاه نمی‌پذیرد.",
        ],
        _ => [
            "Votre commentaire n’a pas pu être enregistré.",
            "دیدگاه شما ذخیره نشد.",
        ],
    };
    match super::primary(lang).as_str() {
        "fr" => Some(fr),
        "fa" => Some(fa),
        _ => None,
    }
}

/// The page's words in `lang`.
pub fn words(lang: &str) -> &'static Form {
    match super::primary(lang).as_str() {
        "fr" => &FR,
        "fa" => &FA,
        _ => &EN,
    }
}

fn pick(lang: &str, en: &'static str, fr: &'static str, fa: &'static str) -> &'static str {
    match super::primary(lang).as_str() {
        "fr" => fr,
        "fa" => fa,
        _ => en,
    }
}
