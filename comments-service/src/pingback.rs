//! `POST /xmlrpc`: the Pingback 1.0 receiver, for older blogs (WordPress).
//!
//! One XML-RPC method, `pingback.ping(source, target)`. It runs the same
//! checks as a Webmention, but verifies at once because XML-RPC expects the
//! outcome in the answer, with the standard fault codes: 16 source missing
//! or unreachable, 17 no link to the target, 32 target not found, 33 target
//! not usable, 48 already registered, 49 access denied, 50 upstream error,
//! 0 anything else; XML-RPC's own -32700 (not XML), -32601 (unknown
//! method) and -32602 (wrong parameters). It is stored as a `mention` with
//! the text around the link.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::escape::escape;
use crate::webmention::Webmention;
use crate::webmention::receive::{check_request, fault};
use crate::webmention::verify::NO_LINK;
use crate::webmention::worker::{Applied, apply};

/// A parsed XML-RPC call.
#[derive(Debug, PartialEq, Eq)]
pub struct Call {
    pub method: String,
    pub params: Vec<String>,
}

/// Reads `<methodCall>`: the method name and the string parameters (a
/// `<value>` with `<string>` or bare text).
pub fn parse_call(body: &[u8]) -> Result<Call, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the request is not UTF-8".to_string())?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut method = None;
    let mut params = Vec::new();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                if name == "value" && stack.last().is_some_and(|p| p == "param") {
                    current = Some(String::new());
                }
                stack.push(name);
            }
            Ok(Event::End(_)) => {
                if let Some(name) = stack.pop()
                    && name == "value"
                    && stack.last().is_some_and(|p| p == "param")
                    && let Some(v) = current.take()
                {
                    params.push(v.trim().to_string());
                }
            }
            Ok(Event::Text(t)) => {
                let inside = stack.last().map(String::as_str);
                if inside == Some("methodName") {
                    method = Some(t.as_ref().trim().to_string());
                } else if let Some(v) = current.as_mut() {
                    v.push_str(t.as_ref());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(v), Some(c)) = (current.as_mut(), crate::escape::xml_reference(&r)) {
                    v.push(c);
                }
            }
            Ok(Event::CData(c)) => {
                if let Some(v) = current.as_mut() {
                    v.push_str(c.as_ref());
                }
            }
            Ok(Event::Eof) => break,
            Ok(Event::DocType(_)) => return Err("document types are not accepted".into()),
            Err(e) => return Err(format!("not well-formed XML: {e}")),
            _ => {}
        }
    }
    let method = method.ok_or("no methodName")?;
    Ok(Call { method, params })
}

fn xml(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// An XML-RPC fault answer.
pub fn fault_response(code: i32, message: &str) -> Response {
    xml(format!(
        "<?xml version=\"1.0\"?>\n<methodResponse><fault><value><struct>\
         <member><name>faultCode</name><value><int>{code}</int></value></member>\
         <member><name>faultString</name><value><string>{}</string></value></member>\
         </struct></value></fault></methodResponse>\n",
        escape(message)
    ))
}

fn success(message: &str) -> Response {
    xml(format!(
        "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><string>{}</string></value></param></params></methodResponse>\n",
        escape(message)
    ))
}

/// `POST /xmlrpc`.
pub async fn xmlrpc(State(wm): State<Arc<Webmention>>, body: Bytes) -> Response {
    let call = match parse_call(&body) {
        Ok(c) => c,
        Err(e) => return fault_response(-32700, &format!("parse error: {e}")),
    };
    if call.method != "pingback.ping" {
        return fault_response(-32601, &format!("method {:?} not found", call.method));
    }
    let [source, target] = call.params.as_slice() else {
        return fault_response(
            -32602,
            "pingback.ping takes two parameters: source and target",
        );
    };
    let accepted = match check_request(&wm, Some(source), Some(target)).await {
        Ok(a) => a,
        Err(r) => return fault_response(r.fault, &format!("{}: {}", r.field, r.message)),
    };
    let applied = apply(
        &wm,
        accepted.source.as_str(),
        accepted.target.as_str(),
        true,
    )
    .await;
    tracing::info!(source = %accepted.source, target = %accepted.target, outcome = ?applied, "pingback");
    match applied {
        Applied::Created(_) => success(&format!(
            "Pingback from {} to {} registered.",
            accepted.source, accepted.target
        )),
        Applied::Updated(_) => fault_response(
            fault::ALREADY_REGISTERED,
            "the pingback has already been registered",
        ),
        Applied::Removed(why) if why == NO_LINK => fault_response(fault::NO_LINK, NO_LINK),
        Applied::Removed(_) => fault_response(fault::SOURCE_NOT_FOUND, "the source does not exist"),
        Applied::Dropped(why) => fault_response(
            fault::SOURCE_NOT_FOUND,
            &format!("the source cannot be used: {why}"),
        ),
        Applied::Retry(why) => fault_response(
            fault::UPSTREAM,
            &format!("the source could not be fetched: {why}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pingback_call_with_and_without_string_tags() {
        let body =
            br#"<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>
            <param><value><string>https://a.example/?x=1&amp;y=2</string></value></param>
            <param><value>https://blog.example/posts/hello/</value></param></params></methodCall>"#;
        let call = parse_call(body).unwrap();
        assert_eq!(call.method, "pingback.ping");
        assert_eq!(
            call.params,
            [
                "https://a.example/?x=1&y=2",
                "https://blog.example/posts/hello/"
            ]
        );
    }

    #[test]
    fn refuses_doctypes_and_broken_xml() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall><methodName>&a;</methodName></methodCall>"#;
        assert!(parse_call(bomb).is_err());
        assert!(parse_call(b"<methodCall><methodName>x</methodCall>").is_err());
        assert!(parse_call(b"<methodCall></methodCall>").is_err());
    }
}
