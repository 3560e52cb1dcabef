//! `/admin` speaks the site's `language`: its sign-in, list and refusals,
//! right to left for Persian; English stays as it was.

use crate::admin::login;
use crate::helpers::{TestApp, open_config};

/// A service in `lang` holding one first-time comment, and its `/admin` page.
async fn admin_in(lang: &str) -> (TestApp, String) {
    let cfg = open_config().replace("\"none\"", "\"first-time\"");
    let app = TestApp::spawn(&format!("language = \"{lang}\"\n{cfg}")).await;
    let (s, _, _) = app
        .post_json(&serde_json::json!({"page": "/m/", "author": "Rāmin", "body": "held one"}))
        .await;
    assert_eq!(s, 202);
    let cookie = login(&app).await;
    let r = app
        .http
        .get(app.path("/admin"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("held one"), "{html}");
    (app, html)
}

async fn sign_in_page(app: &TestApp, token: &str) -> (u16, String) {
    let r = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn admin_is_persian_and_right_to_left() {
    let (app, html) = admin_in("fa").await;
    assert!(html.contains("<html lang=\"fa\" dir=\"rtl\">"), "{html}");
    for word in [
        "مدیریت دیدگاه‌ها",
        "در انتظار",
        "تأیید",
        "نخستین دیدگاه",
        "پاسخ به عنوان نویسنده",
        "خروج",
    ] {
        assert!(html.contains(word), "{word} missing in {html}");
    }
    for english in [
        "Approve",
        "Comment moderation",
        "Sign out",
        "first-time commenter",
    ] {
        assert!(!html.contains(english), "{english} left in {html}");
    }
    let (status, page) = sign_in_page(&app, "wrong").await;
    assert_eq!(status, 403);
    assert!(
        page.contains("dir=\"rtl\"")
            && page.contains("این توکن درست نیست.")
            && page.contains("توکن مدیر"),
        "{page}"
    );
}

#[tokio::test]
async fn admin_is_french() {
    let (app, html) = admin_in("fr").await;
    assert!(html.contains("<html lang=\"fr\" dir=\"ltr\">"), "{html}");
    for word in [
        "Modération des commentaires",
        "Approuver",
        "Marquer comme spam",
        "premier commentaire",
        "Se déconnecter",
    ] {
        assert!(html.contains(word), "{word} missing in {html}");
    }
    assert!(!html.contains("Approve"), "{html}");
    let (status, page) = sign_in_page(&app, "wrong").await;
    assert_eq!(status, 403);
    assert!(page.contains("Ce jeton n’est pas le bon."), "{page}");
}

#[tokio::test]
async fn admin_stays_english_by_default() {
    let (_app, html) = admin_in("en").await;
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    for word in [
        "Comment moderation",
        "Approve",
        "first-time commenter",
        "Sign out",
    ] {
        assert!(html.contains(word), "{word} missing in {html}");
    }
}
