//! Theme strings in the site's language, with CLDR plural categories.
//!
//! A theme ships `i18n/<lang>.toml`; each key is a string or a table of
//! plural forms (`zero`, `one`, `two`, `few`, `many`, `other`). Missing keys
//! fall back to English, then to the key itself.

use std::collections::HashMap;
use std::sync::Arc;

use icu_locale_core::subtags::Language;
use icu_locale_core::{Locale, locale};
use icu_plurals::{PluralCategory, PluralRules};

/// The strings of one language.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    pub language: String,
    /// The theme has no strings for `language` (nor its primary subtag):
    /// the pages say everything in English.
    pub untranslated: bool,
    map: HashMap<String, Forms>,
    fallback: HashMap<String, Forms>,
    /// The plural rules of `language`, for the strings of `map`.
    plurals: Plurals,
    /// English rules, for the strings of `fallback`.
    fallback_plurals: Plurals,
}

#[derive(Debug, Clone)]
enum Forms {
    One(String),
    Plural(HashMap<String, String>),
}

/// The CLDR cardinal plural rules of one language, from ICU4X's compiled
/// data, so every language CLDR knows gets its real rules (hand-written
/// tables drifted: Turkish had no `one`). Built once per [`Strings`]
/// (looking the rules up walks the locale fallback chain) and cheap to
/// clone. An invalid tag gets the English rules; a well-formed tag of a
/// language CLDR has no rules for gets CLDR's root rules (`other` for
/// everything), as CLDR says: its compiled data drops languages whose rules
/// equal the root's (Japanese, Chinese…), so "unknown" cannot be told apart
/// from "`other` only". Strings the theme lacks for the language are
/// English, and take English rules ([`Strings::get`]), which is where an
/// unknown language meets plurals in practice.
#[derive(Clone)]
pub struct Plurals(Option<Arc<PluralRules>>);

impl Plurals {
    /// The rules of the language tag `language` (`fr`, `pt-BR`, `en_GB`).
    pub fn new(language: &str) -> Plurals {
        let tag = language.trim().replace('_', "-");
        let locale = Locale::try_from_str(&tag)
            .ok()
            .filter(|l| l.id.language != Language::UNKNOWN);
        let rules = locale
            .and_then(|l| PluralRules::try_new_cardinal((&l).into()).ok())
            .or_else(|| PluralRules::try_new_cardinal(locale!("en").into()).ok());
        Plurals(rules.map(Arc::new))
    }

    /// The CLDR plural category of the integer `n` (`one`, `few`…).
    pub fn category(&self, n: i64) -> &'static str {
        let Some(rules) = &self.0 else {
            // Only when the compiled data cannot give even English: its rules.
            return if n == 1 { "one" } else { "other" };
        };
        match rules.category_for(n.unsigned_abs()) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }
}

impl Default for Plurals {
    /// English rules, the language of the fallback strings.
    fn default() -> Plurals {
        Plurals::new("en")
    }
}

impl std::fmt::Debug for Plurals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Plurals")
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
            plurals: Plurals::new(language),
            fallback_plurals: Plurals::default(),
        })
    }

    fn forms(&self, key: &str) -> Option<&Forms> {
        self.forms_and_rules(key).map(|(f, _)| f)
    }

    /// The forms of `key` with the rules of the language they are written
    /// in: an English fallback string takes English plurals, whatever the
    /// site's language (a `one` form is never chosen under Japanese rules).
    fn forms_and_rules(&self, key: &str) -> Option<(&Forms, &Plurals)> {
        match self.map.get(key) {
            Some(f) => Some((f, &self.plurals)),
            None => self.fallback.get(key).map(|f| (f, &self.fallback_plurals)),
        }
    }

    /// The string `key`; for plural entries, the form for `n`.
    /// `{n}` in the result is replaced by `n` in the language's digits.
    pub fn get(&self, key: &str, n: Option<i64>) -> String {
        let text = match self.forms_and_rules(key) {
            None => return key.to_string(),
            Some((Forms::One(s), _)) => s.clone(),
            Some((Forms::Plural(forms), rules)) => {
                let cat = rules.category(n.unwrap_or(0));
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

    /// The categories of `ns` under the rules of `language`.
    fn cats(language: &str, ns: &[i64]) -> Vec<&'static str> {
        let rules = Plurals::new(language);
        ns.iter().map(|n| rules.category(*n)).collect()
    }

    // Expected values from the CLDR plural rules charts, not from code.
    #[test]
    fn cldr_categories() {
        assert_eq!(
            cats("en", &[0, 1, 2, 11]),
            ["other", "one", "other", "other"]
        );
        assert_eq!(
            cats("fr", &[0, 1, 2, 1_000_000]),
            ["one", "one", "other", "many"]
        );
        assert_eq!(cats("tr", &[0, 1, 2]), ["other", "one", "other"]);
        assert_eq!(cats("fa", &[0, 1, 2, 12]), ["one", "one", "other", "other"]);
        assert_eq!(
            cats("ar", &[0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111]),
            [
                "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"
            ]
        );
        assert_eq!(
            cats("ru", &[0, 1, 2, 5, 11, 12, 21, 22, 101, 111]),
            [
                "many", "one", "few", "many", "many", "many", "one", "few", "one", "many"
            ]
        );
        assert_eq!(
            cats("pl", &[0, 1, 2, 5, 12, 21, 22, 112]),
            ["many", "one", "few", "many", "many", "many", "few", "many"]
        );
        assert_eq!(cats("ja", &[0, 1, 2, 100]), ["other"; 4]);
        assert_eq!(cats("ar", &[-2]), ["two"], "the sign does not matter");
    }

    #[test]
    fn tags_with_regions_and_unknown_tags() {
        // Portuguese in Brazil has `one` for 0 and 1; in Portugal for 1 only.
        assert_eq!(cats("pt-BR", &[0, 1]), ["one", "one"]);
        assert_eq!(cats("pt-PT", &[0, 1]), ["other", "one"]);
        assert_eq!(cats("en_GB", &[1, 2]), ["one", "other"]);
        assert_eq!(cats("FR-ca", &[0]), ["one"], "tags are case-insensitive");
        // broken or empty tags take the English rules
        for tag in ["", "not a tag", "und", "e"] {
            assert_eq!(cats(tag, &[0, 1, 2]), ["other", "one", "other"], "{tag:?}");
        }
        // a language CLDR does not know takes CLDR's root rules
        assert_eq!(cats("xx", &[0, 1, 2]), ["other"; 3]);
    }

    #[test]
    fn english_fallback_strings_take_english_rules() {
        // no theme strings for Japanese: the English fallback still says "One comment"
        let ja = strings("ja");
        assert!(ja.untranslated);
        assert_eq!(ja.get("c", Some(1)), "One comment");
        assert_eq!(ja.get("c", Some(3)), "3 comments");
    }

    #[test]
    fn dates() {
        let d = jiff::civil::date(2026, 11, 23);
        assert_eq!(strings("en").date(d), "November 23, 2026");
    }
}
