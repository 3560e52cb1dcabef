//! The real `causerie` binary baking what readers see of sign-in from the
//! export's `sign_in` and each comment's `verified`: the login-only page
//! (its text in the site's language, the sign-in forms and links, no
//! anonymous form), the optional sign-in of an open blog, and the verified
//! mark. The export comes from a scripted server on 127.0.0.1:0 answering
//! one canned export per build (the real service is in tests/e2e).
//! Successive builds are incremental and run with CAUSERIE_VERIFY=1, so a
//! change of `sign_in` that the engine's keys missed fails the build.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// The fixture site in a temp dir, its `[comments] url` pointed at `url`,
/// in `language`.
fn site(url: &str, language: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("good");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good"),
        &root,
    );
    let config = root.join("causerie.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("https://comments.example", url)
        .replace(
            "title = \"Fixture blog\"",
            &format!("title = \"Fixture blog\"\nlanguage = \"{language}\""),
        );
    std::fs::write(config, text).unwrap();
    (tmp, root)
}

/// A server answering every request with the export currently set.
struct Exporter {
    url: String,
    export: Arc<Mutex<String>>,
}

impl Exporter {
    fn start() -> Exporter {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let export = Arc::new(Mutex::new(String::new()));
        let current = export.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                let body = current.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Exporter { url, export }
    }

    fn set(&self, sign_in: Option<serde_json::Value>, cursor_minute: u32) {
        let comment = |id: i64, verified: bool| {
            serde_json::json!({"id": id, "page": "/posts/post-1/", "parent": null,
                "author": format!("Reader {id}"), "website": null,
                "body_html": format!("<p>Words {id}.</p>"),
                "created": "2026-11-20T10:00:00Z", "kind": "comment",
                "verified": verified, "replies": []})
        };
        let mut e = serde_json::json!({
            "cursor": format!("2026-11-21T00:{cursor_minute:02}:00Z"),
            "comments": [comment(7, false), comment(8, true)],
            "removed": [],
        });
        if let Some(s) = sign_in {
            e["sign_in"] = s;
        }
        *self.export.lock().unwrap() = e.to_string();
    }
}

fn build(root: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_causerie"))
        .arg("build")
        .current_dir(root)
        .env("CAUSERIE_VERIFY", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(root.join("public/posts/post-1/index.html")).unwrap()
}

/// The `<li>` of comment `id` up to its body.
fn item_of(page: &str, id: i64) -> &str {
    let start = page
        .find(&format!("id=\"comment-{id}\""))
        .unwrap_or_else(|| panic!("comment {id} is baked"));
    let rest = &page[start..];
    &rest[..rest.find("comment-body").unwrap()]
}

#[test]
fn login_only_page_follows_the_export_through_incremental_builds() {
    let svc = Exporter::start();
    let (_tmp, root) = site(&svc.url, "en");
    let required = "You must be signed in to comment.";

    // A service that predates sign-in: the anonymous form, no sign-in choice.
    svc.set(None, 1);
    let page = build(&root);
    assert!(page.contains("id=\"comment-form\""));
    assert!(!page.contains(required));
    assert!(
        !page.contains("sign-in"),
        "no sign-in markup without methods"
    );
    assert!(item_of(&page, 8).contains("comment-verified"));
    assert!(item_of(&page, 8).contains(">✓</span> verified</span>"));
    assert!(!item_of(&page, 7).contains("comment-verified"));

    // The owner turns on login-only with every method.
    svc.set(
        Some(
            serde_json::json!({"required": true, "email": true, "indieauth": true,
            "oidc": [{"name": "forge"}, {"name": "bad/name"}]}),
        ),
        2,
    );
    let page = build(&root);
    assert!(page.contains(required), "the login-only text");
    assert!(!page.contains("id=\"comment-form\""), "no anonymous form");
    assert!(!page.contains("name=\"author\""));
    let ret = "https://blog.example/posts/post-1/";
    let svc_e = &svc.url;
    assert!(
        page.contains(&format!("method=\"post\" action=\"{svc_e}/auth/email\"")),
        "the e-mail form posts to the service"
    );
    assert!(page.contains(&format!("method=\"get\" action=\"{svc_e}/auth/indieauth\"")));
    assert!(page.contains(&format!("name=\"return\" value=\"{ret}\"")));
    assert!(page.contains("name=\"me\""));
    assert!(
        page.contains(&format!(
            "href=\"{svc_e}/auth/oidc/forge?return=https%3A%2F%2Fblog.example%2Fposts%2Fpost-1%2F\""
        )),
        "the provider link carries the return"
    );
    assert!(page.contains(">Sign in with forge</a>"));
    // the anonymous form post of a login-only blog lands on #sign-in-required
    assert!(page.contains("id=\"sign-in-required\""));
    // without JavaScript, a signed-in reader writes on the service's form
    assert!(page.contains(&format!(
        "href=\"{svc_e}/auth/comment?page=%2Fposts%2Fpost-1%2F\""
    )));
    assert!(page.contains(&format!("method=\"post\" action=\"{svc_e}/auth/sign-out\"")));
    assert!(
        page.contains("name=\"name\""),
        "the e-mail form asks the name to sign with"
    );
    assert!(!page.contains("bad/name"));
    assert!(page.contains(r#""sign_in":{"methods":true,"required":true}"#));
    // the other posts' pages follow too (every post page reads sign_in)
    let other = std::fs::read_to_string(root.join("public/posts/post-2/index.html")).unwrap();
    assert!(other.contains(required));

    // Open again, with e-mail sign-in offered beside the anonymous form.
    svc.set(
        Some(serde_json::json!({"required": false, "email": true})),
        3,
    );
    let page = build(&root);
    assert!(page.contains("id=\"comment-form\""));
    assert!(!page.contains(required));
    assert!(page.contains("<details class=\"sign-in-optional\">"));
    assert!(page.contains("/auth/email\""));
    assert!(!page.contains("name=\"me\""), "IndieAuth is off");

    // Built offline: the cached settings are baked, not dropped.
    std::fs::write(
        root.join("content/posts/post-3.md"),
        std::fs::read_to_string(root.join("content/posts/post-3.md")).unwrap() + "\nMore.\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_causerie"))
        .arg("build")
        .current_dir(&root)
        .env("CAUSERIE_OFFLINE", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(root.join("public/posts/post-1/index.html")).unwrap();
    assert!(page.contains("<details class=\"sign-in-optional\">"));
    assert!(item_of(&page, 8).contains("comment-verified"));
}

#[test]
fn login_only_text_is_in_the_site_language() {
    let svc = Exporter::start();
    svc.set(
        Some(serde_json::json!({"required": true, "email": true})),
        1,
    );
    let (_tmp, root) = site(&svc.url, "fa");
    let page = build(&root);
    assert!(
        page.contains("برای نوشتن دیدگاه باید وارد شوید."),
        "Persian text"
    );
    assert!(page.contains("نشانی ایمیل شما"));
    assert!(!page.contains("You must be signed in"));
    assert!(item_of(&page, 8).contains("تأییدشده"));
}
