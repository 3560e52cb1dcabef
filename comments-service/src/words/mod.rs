//! The service's own words for readers (the pages it renders and the errors
//! embed.js shows), in the site's `language`: English, French and Persian;
//! other languages get English words but keep their writing direction.
//! The mails' words are in `mail::i18n`, which shares [`dir`] and [`primary`].

pub mod admin;
mod fa;
pub mod form;
mod fr;
pub mod sign_in;

/// Words of the reader-facing pages. `{page}` is filled in.
pub struct Reader {
    pub your_comment: &'static str,
    pub published: &'static str,
    pub held: &'static str,
    pub pending: &'static str,
    pub back: &'static str,
    pub nothing: &'static str,
    pub owner: &'static str,
}

const EN: Reader = Reader {
    your_comment: "Your comment",
    published: "Thanks, your comment is published. It will appear on the page in a moment.",
    held: "Thanks, your comment is awaiting moderation. Until it is approved, only you can see it, here.",
    pending: "Awaiting moderation",
    back: "Back to the page",
    nothing: "There is no comment of yours to show here.",
    owner: "author",
};

/// The reader words of `lang` (its primary subtag), English when there are none.
pub fn reader(lang: &str) -> &'static Reader {
    match primary(lang).as_str() {
        "fr" => &fr::READER,
        "fa" => &fa::READER,
        _ => &EN,
    }
}

/// `rtl` for the languages written right to left, else `ltr`.
pub fn dir(lang: &str) -> &'static str {
    match primary(lang).as_str() {
        "ar" | "fa" | "he" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb" => "rtl",
        _ => "ltr",
    }
}

/// The primary language subtag, lower case (`fa` of `fa-IR`).
pub fn primary(lang: &str) -> String {
    lang.split('-').next().unwrap_or("").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_words_and_direction() {
        assert_eq!(dir("fa-IR"), "rtl");
        assert_eq!(dir("de"), "ltr");
        assert_eq!(reader("fr").back, "Retour à la page");
        assert_eq!(reader("fa").pending, "در انتظار بررسی");
        assert_eq!(reader("de").back, "Back to the page");
    }
}
