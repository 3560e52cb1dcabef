//! Pingback (XML-RPC) over the same machinery.

use crate::fixture::*;

#[tokio::test]
async fn pingback_verifies_stores_a_mention_and_answers_standard_faults() {
    let fx = Fixture::start();
    let svc = Service::start(&config(""));
    let before = "words ".repeat(50);
    fx.page(
        "/wp",
        format!(r#"<html><body><div class="post"><p>{before} I read <a href="{TARGET}">Bob's post</a> today.</p></div></body></html>"#),
    );
    fx.page("/nolink", "<p>nothing</p>".into());
    let ok = svc.xmlrpc(ping(&fx.url("/wp"), TARGET)).await;
    assert!(
        ok.contains("<methodResponse><params>") && !ok.contains("fault"),
        "{ok}"
    );
    let items = svc.comments("/posts/hello/").await;
    let got = by_source(&items, &fx.url("/wp"));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["kind"], "mention");
    let body = got[0]["body_html"].as_str().unwrap();
    assert!(
        body.contains("I read Bob&#39;s post today."),
        "excerpt around the link: {body}"
    );
    assert!(body.starts_with("<p>…"), "{body}");

    let cases = [
        (ping(&fx.url("/wp"), TARGET), 48),
        (ping(&fx.url("/nolink"), TARGET), 17),
        (ping(&fx.url("/missing"), TARGET), 16),
        (ping(&fx.url("/wp"), "https://elsewhere.example/x"), 33),
        (ping("not-a-url", TARGET), 16),
        (
            "<methodCall><methodName>pingback.ping</methodName><params></params></methodCall>"
                .into(),
            -32602,
        ),
        (
            "<methodCall><methodName>system.listMethods</methodName></methodCall>".into(),
            -32601,
        ),
        ("this is not xml <<<".into(), -32700),
    ];
    for (body, code) in cases {
        let answer = svc.xmlrpc(body.clone()).await;
        assert_eq!(fault_code(&answer), Some(code), "{body}\n{answer}");
    }
}
