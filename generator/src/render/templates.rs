//! The tera engine: theme templates (with the site's overrides) plus the
//! functions templates may call: `t` (translated strings) and `url`.

mod balance;

use tera::{Kwargs, State, Tera, TeraResult};

use crate::config::Config;
use crate::error::{Diagnostic, tera_message};
use crate::i18n::Strings;
use crate::theme::Theme;

/// Builds the tera instance for a site. Template errors name the file.
pub fn engine(theme: &Theme, config: &Config) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Functions first: tera 2 checks calls and includes when templates load.
    register(
        &mut tera,
        theme.strings.clone(),
        config.base_path().to_string(),
    );
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.text.as_str())),
    ) {
        // Tera names the line where its parser gave up, which for a tag
        // left open is the end of the file; name the tag instead.
        if let Some(d) = theme.templates.iter().find_map(|t| {
            balance::mismatch(t).map(|(line, msg)| Diagnostic::new(t.origin.clone(), line, msg))
        }) {
            return Err(vec![d]);
        }
        return Err(vec![locate(theme, &tera_message(&e), "")]);
    }
    Ok(tera)
}

/// Turns a tera message (which may point at `--> name:line:col`) into a
/// diagnostic on the template's file and line.
pub fn locate(theme: &Theme, message: &str, context: &str) -> Diagnostic {
    let mut path = "templates".to_string();
    let mut line = 0;
    if let Some(i) = message.find("--> ") {
        let loc = message[i + 4..].split_whitespace().next().unwrap_or("");
        let mut parts = loc.rsplitn(3, ':');
        let _col = parts.next();
        let l = parts.next().and_then(|l| l.parse().ok());
        if let (Some(l), Some(name)) = (l, parts.next()) {
            line = l;
            path = theme
                .templates
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.origin.clone())
                .unwrap_or_else(|| name.to_string());
        }
    } else if let Some(t) = theme
        .templates
        .iter()
        .find(|t| message.contains(&format!("'{}'", t.name)))
    {
        path = t.origin.clone();
    }
    let first = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(message)
        .trim_start_matches("error: ");
    Diagnostic::new(path, line, format!("{first}{context}"))
}

fn register(tera: &mut Tera, strings: Strings, base_path: String) {
    // t(key="…", n=3, title="…"): the string in the site's language, plural
    // form for n, `{name}` placeholders filled from the other arguments.
    tera.register_function(
        "t",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let key: &str = kwargs.must_get("key")?;
            let n: Option<i64> = kwargs.get("n")?;
            let mut s = strings.get(key, n);
            for (k, v) in kwargs.iter() {
                if let Some(k) = k.as_str()
                    && k != "key"
                    && k != "n"
                {
                    let text = v
                        .as_str()
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| v.to_string());
                    s = s.replace(&format!("{{{k}}}"), &text);
                }
            }
            Ok(s)
        },
    );
    // url(path="/about/"): a site path with the base path in front.
    tera.register_function(
        "url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: &str = kwargs.must_get("path")?;
            Ok(format!("{}{}", base_path, path.trim_start_matches('/')))
        },
    );
}
