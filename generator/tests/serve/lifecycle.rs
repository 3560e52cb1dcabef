//! Start-up with a bad config, a used port, Ctrl-C.

use super::*;

#[test]
fn bad_config_at_start_keeps_the_server_up() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    write(
        &root.join("causerie.toml"),
        "title = \"No base url\"\nbogus = 1\n",
    );
    let srv = serve(&root, &[]);
    let port = srv.port;
    let (st, body) = http(port, "GET", "/", None);
    assert_eq!(st, 404);
    assert!(body.contains("causerie-error-overlay"));
    assert!(body.contains("causerie.toml"));
    let b = builds(port);
    write(
        &root.join("causerie.toml"),
        "base_url = \"https://blog.example/\"\ntitle = \"Back\"\n",
    );
    let s = wait_build(port, b);
    assert!(s["errors"].as_array().unwrap().is_empty(), "{s}");
    let (st, body) = http(port, "GET", "/", None);
    assert_eq!(st, 200);
    assert!(body.contains("Back") && !body.contains("causerie-error-overlay"));
}

#[test]
fn port_in_use_gets_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(BIN)
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{err}"
    );
    assert!(err.contains("--port"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let mut srv = serve(&root, &[]);
    let _ev = events(srv.port); // an open tab must not block shutdown
    interrupt(&srv.child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = srv.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = srv.lines.try_iter().collect();
    assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
}
