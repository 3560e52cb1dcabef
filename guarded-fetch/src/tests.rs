//! Unit tests of the guards: address spellings, redirects, caps, timeouts.

use super::*;

/// The settings every test starts from.
fn config() -> FetchConfig {
    FetchConfig::new("causerie-fetch-test/0 (+https://example.org/)")
}

#[test]
fn every_spelling_of_loopback_is_an_ip_literal_and_refused() {
    let fetcher = Fetcher::new(&config()).unwrap();
    for raw in [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://0.0.0.0/",
        "http://0/",
    ] {
        let url = parse_http_url(raw).unwrap();
        assert!(
            matches!(fetcher.check_host(&url), Err(FetchError::Refused { .. })),
            "{raw} must be refused"
        );
    }
}

#[test]
fn rejects_non_http_urls() {
    for raw in [
        "ftp://example.com/",
        "file:///etc/passwd",
        "/relative",
        "mailto:a@b",
    ] {
        assert!(parse_http_url(raw).is_err(), "{raw}");
    }
}

#[tokio::test]
async fn localhost_is_refused_after_resolution() {
    let fetcher = Fetcher::new(&config()).unwrap();
    let err = fetcher.get("http://localhost:9/").await.unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err:?}");
}

/// A one-route-per-path HTTP server on 127.0.0.1 for the client tests;
/// answers are raw response heads (and bodies) by path.
fn serve(answers: Vec<(&'static str, String)>) -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answers = answers.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                log.lock().unwrap().push(head.clone());
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut out = stream;
                match answers.iter().find(|(p, _)| *p == path) {
                    Some((_, a)) if a == "DRIP" => {
                        let _ =
                            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
                        while out.write_all(b"x").is_ok() {
                            std::thread::sleep(Duration::from_millis(50));
                        }
                    }
                    Some((_, a)) if a == "ENDLESS" => {
                        let _ =
                            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
                        let chunk = vec![b'x'; 65536];
                        while out.write_all(&chunk).is_ok() {}
                    }
                    Some((_, a)) => {
                        let _ = out.write_all(a.as_bytes());
                    }
                    None => {
                        let _ =
                            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    }
                }
            });
        }
    });
    (port, seen)
}

fn local(config: FetchConfig) -> Fetcher {
    Fetcher::new(&FetchConfig {
        allow_private_addresses: true,
        ..config
    })
    .unwrap()
}

fn redirect(to: &str) -> String {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
}

#[tokio::test]
async fn follows_relative_redirects_and_reports_the_final_url() {
    let ok =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi".to_string();
    let (port, seen) = serve(vec![("/a", redirect("b?q=1")), ("/b?q=1", ok)]);
    let got = local(config())
        .get(&format!("http://127.0.0.1:{port}/a"))
        .await
        .unwrap();
    assert_eq!(
        got.final_url.as_str(),
        format!("http://127.0.0.1:{port}/b?q=1")
    );
    assert_eq!((got.status, got.body.as_slice()), (200, &b"hi"[..]));
    let heads = seen.lock().unwrap().join("");
    assert!(
        heads
            .to_ascii_lowercase()
            .contains("user-agent: causerie-fetch-test/0 "),
        "{heads}"
    );
}

#[tokio::test]
async fn redirects_are_capped_and_must_stay_http() {
    let (port, _) = serve(vec![
        ("/loop", redirect("/loop")),
        ("/ftp", redirect("ftp://127.0.0.1/x")),
    ]);
    let f = local(config());
    let err = f
        .get(&format!("http://127.0.0.1:{port}/loop"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects(_)), "{err:?}");
    let err = f
        .get(&format!("http://127.0.0.1:{port}/ftp"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BadUrl(_)), "{err:?}");
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_whether_announced_or_streamed() {
    let big = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
        10 * 1024 * 1024
    );
    let (port, _) = serve(vec![("/announced", big), ("/endless", "ENDLESS".into())]);
    let f = local(FetchConfig {
        max_body_bytes: 100_000,
        ..config()
    });
    for path in ["/announced", "/endless"] {
        let err = f
            .get(&format!("http://127.0.0.1:{port}{path}"))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::TooLarge(_)), "{path}: {err:?}");
    }
}

#[tokio::test]
async fn a_slow_drip_is_cut_by_the_total_deadline() {
    let (port, _) = serve(vec![("/drip", "DRIP".into())]);
    let f = local(FetchConfig {
        total_timeout: Duration::from_millis(500),
        ..config()
    });
    let err = f
        .get(&format!("http://127.0.0.1:{port}/drip"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn requests_with_credentials_send_their_headers_and_never_follow_redirects() {
    let (port, seen) = serve(vec![
        ("/userinfo", redirect("/elsewhere")),
        ("/token", redirect("/elsewhere")),
    ]);
    let f = local(config());
    let mut headers = HeaderMap::new();
    headers.insert("authorization", "Bearer t0ken".parse().unwrap());
    let got = f
        .get_with_headers(
            &format!("http://127.0.0.1:{port}/userinfo"),
            headers.clone(),
        )
        .await
        .unwrap();
    assert_eq!(got.status, 302);
    let got = f
        .post_with_headers(
            &format!("http://127.0.0.1:{port}/token"),
            headers,
            "application/x-www-form-urlencoded",
            b"a=1".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(got.status, 302);
    let heads = seen.lock().unwrap().join("").to_ascii_lowercase();
    assert_eq!(
        heads.matches("authorization: bearer t0ken").count(),
        2,
        "{heads}"
    );
    assert!(
        heads.contains("content-type: application/x-www-form-urlencoded"),
        "{heads}"
    );
    assert!(
        !heads.contains("/elsewhere"),
        "a redirect was followed: {heads}"
    );
}
