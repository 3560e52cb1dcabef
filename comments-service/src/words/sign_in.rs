//! The words of sign-in (issue 15): the pages of the e-mail link, its mail,
//! and the refusals of posts that need a session, in English, French and
//! Persian (other languages get English).

/// Words of the sign-in pages and mail.
pub struct SignIn {
    /// The contract's sentence of login-only blogs.
    pub required: &'static str,
    pub csrf: &'static str,
    pub confirm_title: &'static str,
    pub confirm_text: &'static str,
    pub confirm_button: &'static str,
    pub used_title: &'static str,
    pub used_text: &'static str,
    pub sent_title: &'static str,
    pub sent_text: &'static str,
    pub mail_subject: &'static str,
    pub mail_intro: &'static str,
    pub mail_ignore: &'static str,
    pub back: &'static str,
    pub signed_out: &'static str,
    pub send: &'static str,
    pub sign_out: &'static str,
    /// The mark of a signed-in comment in `/admin`.
    pub verified: &'static str,
}

const EN: SignIn = SignIn {
    required: "You must be signed in to comment.",
    csrf: "The sign-in check failed; reload the page and try again.",
    confirm_title: "Sign in",
    confirm_text: "Press the button to sign in and go back to the page.",
    confirm_button: "Sign in",
    used_title: "This link no longer works",
    used_text: "Sign-in links work once and only for 15 minutes. Ask for a new one on the page.",
    sent_title: "Check your mail",
    sent_text: "If the address is right, a sign-in link is on its way. It works once, within 15 minutes.",
    mail_subject: "Your sign-in link",
    mail_intro: "Open this link within 15 minutes to sign in and comment:",
    mail_ignore: "If you did not ask for it, ignore this mail: nothing happens without the link.",
    back: "Back to the page",
    signed_out: "You are signed out.",
    send: "Send",
    sign_out: "Sign out",
    verified: "signed in",
};

const FR: SignIn = SignIn {
    required: "Vous devez être connecté pour commenter.",
    csrf: "La vérification de connexion a échoué ; rechargez la page et réessayez.",
    confirm_title: "Connexion",
    confirm_text: "Appuyez sur le bouton pour vous connecter et revenir à la page.",
    confirm_button: "Se connecter",
    used_title: "Ce lien ne fonctionne plus",
    used_text: "Les liens de connexion ne servent qu’une fois, pendant 15 minutes. Demandez-en un nouveau sur la page.",
    sent_title: "Consultez vos e-mails",
    sent_text: "Si l’adresse est juste, un lien de connexion est en route. Il sert une fois, dans les 15 minutes.",
    mail_subject: "Votre lien de connexion",
    mail_intro: "Ouvrez ce lien dans les 15 minutes pour vous connecter et commenter :",
    mail_ignore: "Si vous ne l’avez pas demandé, ignorez ce message : rien ne se passe sans le lien.",
    back: "Retour à la page",
    signed_out: "Vous êtes déconnecté.",
    send: "Envoyer",
    sign_out: "Se déconnecter",
    verified: "connecté",
};

const FA: SignIn = SignIn {
    required: "برای نوشتن دیدگاه باید وارد شوید.",
    csrf: "بررسی ورود ناموفق بود؛ صفحه را دوباره بارگذاری کنید و دوباره بکوشید.",
    confirm_title: "ورود",
    confirm_text: "برای ورود و بازگشت به صفحه، دکمه را بزنید.",
    confirm_button: "ورود",
    used_title: "این پیوند دیگر کار نمی‌کند",
    used_text: "پیوندهای ورود تنها یک بار و تا ۱۵ دقیقه کار می‌کنند. در صفحه پیوند تازه‌ای بخواهید.",
    sent_title: "ایمیل خود را ببینید",
    sent_text: "اگر نشانی درست باشد، پیوند ورود در راه است. تنها یک بار و تا ۱۵ دقیقه کار می‌کند.",
    mail_subject: "پیوند ورود شما",
    mail_intro: "برای ورود و نوشتن دیدگاه، این پیوند را تا ۱۵ دقیقه باز کنید:",
    mail_ignore: "اگر آن را نخواسته‌اید، این ایمیل را نادیده بگیرید: بی پیوند کاری انجام نمی‌شود.",
    back: "بازگشت به صفحه",
    signed_out: "از حساب خود خارج شدید.",
    send: "فرستادن",
    sign_out: "خروج",
    verified: "واردشده",
};

/// The sign-in words of `lang` (its primary subtag), English when there are none.
pub fn words(lang: &str) -> &'static SignIn {
    match super::primary(lang).as_str() {
        "fr" => &FR,
        "fa" => &FA,
        _ => &EN,
    }
}
