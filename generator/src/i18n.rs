//! Theme strings in the site's language, with CLDR plural categories.
//!
//! A theme ships `i18n/<lang>.toml`; each key is a string or a table of
//! plural forms (`zero`, `one`, `two`, `few`, `many`, `other`). Missing keys
//! fall back to English, then to the key itself.

use std::collections::HashMap;

/// The strings of one language.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    pub language: String,
    /// The theme has no strings for `language` (nor its primary subtag):
    /// the pages say everything in English.
    pub untranslated: bool,
    map: HashMap<String, Forms>,
    fallback: HashMap<String, Forms>,
}

#[derive(Debug, Clone)]
enum Forms {
    One(String),
    Plural(HashMap<String, String>),
}

/// CLDR plural category of the integer `n` for a language.
pub fn plural_category(language: &str, n: i64) -> &'static str {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let n = n.unsigned_abs();
    match primary.as_str() {
        // Persian, Hindi, Bengali…: one for 0 and 1.
        "fa" | "hi" | "bn" | "am" | "zu" => {
            if n <= 1 {
                "one"
            } else {
                "other"
            }
        }
        "fr" | "pt" => {
            if n <= 1 {
                "one"
            } else if n != 0 && n.is_multiple_of(1_000_000) {
                "many"
            } else {
                "other"
            }
        }
        "ar" => match n {
            0 => "zero",
            1 => "one",
            2 => "two",
            _ if (3..=10).contains(&(n % 100)) => "few",
            _ if (11..=99).contains(&(n % 100)) => "many",
            _ => "other",
        },
        "he" => match n {
            1 => "one",
            2 => "two",
            _ => "other",
        },
        "ru" | "uk" | "be" => {
            let (m10, m100) = (n % 10, n % 100);
            if m10 == 1 && m100 != 11 {
                "one"
            } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
                "few"
            } else {
                "many"
            }
        }
        "pl" => {
            let (m10, m100) = (n % 10, n % 100);
            if n == 1 {
                "one"
            } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
                "few"
            } else {
                "many"
            }
        }
        "ja" | "zh" | "ko" | "vi" | "th" | "id" | "ms" | "tr" => "other",
        _ => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

fn parse_file(text: &str) -> Result<HashMap<String, Forms>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut map = HashMap::new();
    for (k, v) in table {
        match v {
            toml::Value::String(s) => {
                map.insert(k, Forms::One(s));
            }
            toml::Value::Table(t) => {
                let forms = t
                    .into_iter()
                    .filter_map(|(c, v)| v.as_str().map(|s| (c, s.to_string())))
                    .collect();
                map.insert(k, Forms::Plural(forms));
            }
            toml::Value::Array(a) => {
                // Lists (month names) are stored as `key.N`.
                for (i, v) in a.iter().enumerate() {
                    if let Some(s) = v.as_str() {
                        map.insert(format!("{k}.{i}"), Forms::One(s.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(map)
}

impl Strings {
    /// Builds the strings from the theme's files: `lookup(name)` returns the
    /// text of `i18n/<name>.toml` if the theme has it.
    pub fn load(
        language: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Strings, (String, String)> {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase();
        let parse = |name: &str| -> Result<Option<HashMap<String, Forms>>, (String, String)> {
            match lookup(name) {
                Some(text) => parse_file(&text)
                    .map(Some)
                    .map_err(|e| (name.to_string(), e)),
                None => Ok(None),
            }
        };
        let fallback = parse("en")?.unwrap_or_default();
        let (map, untranslated) = match parse(language)? {
            Some(m) => (m, false),
            None => match parse(&primary)? {
                Some(m) => (m, false),
                None => (HashMap::new(), primary != "en"),
            },
        };
        Ok(Strings {
            language: language.to_string(),
            untranslated,
            map,
            fallback,
        })
    }

    fn forms(&self, key: &str) -> Option<&Forms> {
        self.map.get(key).or_else(|| self.fallback.get(key))
    }

    /// The string `key`; for plural entries, the form for `n`.
    /// `{n}` in the result is replaced by `n` in the language's digits.
    pub fn get(&self, key: &str, n: Option<i64>) -> String {
        let text = match self.forms(key) {
            None => return key.to_string(),
            Some(Forms::One(s)) => s.clone(),
            Some(Forms::Plural(forms)) => {
                let cat = plural_category(&self.language, n.unwrap_or(0));
                // An exact "zero" form wins for 0 in any language (English "No comments").
                let exact = if n == Some(0) {
                    forms.get("zero")
                } else {
                    None
                };
                exact
                    .or_else(|| forms.get(cat))
                    .or_else(|| forms.get("other"))
                    .cloned()
                    .unwrap_or_else(|| key.to_string())
            }
        };
        match n {
            Some(n) => text.replace("{n}", &self.digits(&n.to_string())),
            None => text,
        }
    }

    /// Whether `key` is defined at all.
    pub fn has(&self, key: &str) -> bool {
        self.forms(key).is_some()
    }

    /// Western digits in `s` turned into the language's native digits
    /// (when the strings set `digits = "persian"` or `"arabic"`).
    pub fn digits(&self, s: &str) -> String {
        let zero = match self.map.get("digits") {
            Some(Forms::One(d)) if d == "persian" => '۰',
            Some(Forms::One(d)) if d == "arabic" => '٠',
            _ => return s.to_string(),
        };
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(zero as u32 + d).unwrap_or(c),
                None => c,
            })
            .collect()
    }

    /// A human date such as "23 November 2026", from `date_format` and `months.N`.
    pub fn date(&self, d: jiff::civil::Date) -> String {
        let month = self.get(&format!("months.{}", d.month() - 1), None);
        let fmt = if self.has("date_format") {
            self.get("date_format", None)
        } else {
            "{month} {day}, {year}".into()
        };
        let text = fmt
            .replace("{month}", &month)
            .replace("{day}", &d.day().to_string())
            .replace("{year}", &d.year().to_string());
        self.digits(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lang: &str) -> Strings {
        Strings::load(lang, |n| match n {
            "en" => Some("c = { zero = \"No comments\", one = \"One comment\", other = \"{n} comments\" }\nmonths = [\"January\", \"February\", \"March\", \"April\", \"May\", \"June\", \"July\", \"August\", \"September\", \"October\", \"November\", \"December\"]\n".into()),
            "fa" => Some("digits = \"persian\"\nc = { one = \"{n} دیدگاه\", other = \"{n} دیدگاه\" }\n".into()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn plural_forms() {
        let en = strings("en");
        assert_eq!(en.get("c", Some(0)), "No comments");
        assert_eq!(en.get("c", Some(1)), "One comment");
        assert_eq!(en.get("c", Some(5)), "5 comments");
        let fa = strings("fa");
        assert_eq!(fa.get("c", Some(12)), "۱۲ دیدگاه");
        assert_eq!(strings("en-GB").get("c", Some(2)), "2 comments");
    }

    #[test]
    fn categories() {
        assert_eq!(plural_category("ar", 2), "two");
        assert_eq!(plural_category("ar", 105), "few");
        assert_eq!(plural_category("ru", 22), "few");
        assert_eq!(plural_category("fa", 0), "one");
        assert_eq!(plural_category("en", 0), "other");
    }

    #[test]
    fn dates() {
        let d = jiff::civil::date(2026, 11, 23);
        assert_eq!(strings("en").date(d), "November 23, 2026");
    }
}
