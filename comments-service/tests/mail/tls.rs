//! STARTTLS and implicit TLS against aiosmtpd with a certificate from a test
//! CA (made with the `openssl` command): trusted through `[mail] ca_file`,
//! refused without it.

use std::path::Path;
use std::process::Command;

use crate::delivery::mail_config;
use crate::helpers::{TestApp, comment};
use crate::smtp::Smtp;

/// A CA and a server certificate for 127.0.0.1 in `dir`: (ca.pem, leaf.pem, leaf.key).
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Causerie test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "1",
        "-extfile",
        "ext",
    ]);
}

async fn delivered(smtp: &Smtp, url: &str, ca: Option<&Path>) -> usize {
    let mut cfg = mail_config(smtp, "none", "");
    cfg = cfg.replace(&smtp.url(), url);
    if let Some(ca) = ca {
        cfg.push_str(&format!("ca_file = \"{}\"\n", ca.display()));
    }
    let app = TestApp::spawn(&cfg).await;
    let (s, _, _) = app
        .post_json(&comment("/posts/tls/", "Ada", "over TLS"))
        .await;
    assert_eq!(s, 201);
    let n = smtp.wait_for(1, 8).await.len();
    drop(app);
    n
}

#[tokio::test]
async fn starttls_and_implicit_tls_deliver_with_the_ca_and_not_without() {
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let (leaf, key) = (certs.path().join("leaf.pem"), certs.path().join("leaf.key"));
    let ca = certs.path().join("ca.pem");

    let starttls = Smtp::up_with(&[
        "--tlscert".as_ref(),
        leaf.as_os_str(),
        "--tlskey".as_ref(),
        key.as_os_str(),
    ]);
    let url = format!("smtp://127.0.0.1:{}?tls=starttls", starttls.port);
    assert_eq!(
        delivered(&starttls, &url, None).await,
        0,
        "an unknown CA is refused"
    );
    assert_eq!(
        delivered(&starttls, &url, Some(&ca)).await,
        1,
        "STARTTLS with the CA"
    );
    // the server requires STARTTLS: a plain client is refused
    let plain = format!("smtp://127.0.0.1:{}", starttls.port);
    let before = starttls.messages().len();
    delivered(&starttls, &plain, None).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(starttls.messages().len(), before, "no mail over plain text");

    let smtps = Smtp::up_with(&[
        "--smtpscert".as_ref(),
        leaf.as_os_str(),
        "--smtpskey".as_ref(),
        key.as_os_str(),
    ]);
    let url = format!("smtps://127.0.0.1:{}", smtps.port);
    assert_eq!(
        delivered(&smtps, &url, Some(&ca)).await,
        1,
        "implicit TLS with the CA"
    );
}
