//! The Pingback fallback: an XML-RPC `pingback.ping(source, target)` call
//! for targets that advertise only a Pingback endpoint (older WordPress).

use crate::escape::escape;
use quick_xml::Reader;
use quick_xml::events::Event;

/// The XML-RPC request body.
pub fn request_body(source: &str, target: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<methodCall><methodName>pingback.ping</methodName><params>\
         <param><value><string>{}</string></value></param>\
         <param><value><string>{}</string></value></param>\
         </params></methodCall>\n",
        escape(source),
        escape(target)
    )
}

/// Reads an XML-RPC answer: `Ok(())` for a success or fault 48 ("already
/// registered", the ping was received before), else the fault code.
pub fn read_response(body: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(body);
    let mut reader = Reader::from_str(&text);
    let mut in_fault = false;
    let mut saw_response = false;
    let mut in_code_value = false;
    let mut last_name = String::new();
    let mut code: Option<i64> = None;
    let mut message = String::new();
    let mut current = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                current = e.local_name().as_ref().to_string();
                match current.as_str() {
                    "methodResponse" => saw_response = true,
                    "fault" => in_fault = true,
                    "value" if in_fault && last_name == "faultCode" => in_code_value = true,
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                let text = t.as_ref().trim();
                if in_fault && current == "name" {
                    last_name = text.to_string();
                } else if in_fault && matches!(current.as_str(), "int" | "i4") && in_code_value {
                    code = text.parse().ok();
                } else if in_fault && last_name == "faultString" && !text.is_empty() {
                    message.push_str(text);
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "value" => in_code_value = false,
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("unreadable XML-RPC answer: {e}")),
            _ => {}
        }
    }
    if !saw_response {
        return Err("not an XML-RPC answer".into());
    }
    match (in_fault, code) {
        (false, _) | (true, Some(48)) => Ok(()),
        (true, Some(code)) => Err(format!("fault {code}: {message}")),
        (true, None) => Err(format!("fault: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_escapes_urls() {
        let body = request_body("https://a/?x=1&y=<2>", "https://b/");
        assert!(body.contains("https://a/?x=1&amp;y=&lt;2&gt;"));
        assert!(body.contains("<methodName>pingback.ping</methodName>"));
    }

    #[test]
    fn reads_success_and_faults() {
        let ok = b"<?xml version=\"1.0\"?><methodResponse><params><param><value><string>Thanks</string></value></param></params></methodResponse>";
        assert_eq!(read_response(ok), Ok(()));
        let fault = |code: &str| {
            format!(
                "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>{code}</int></value></member>\
                 <member><name>faultString</name><value><string>nope</string></value></member></struct></value></fault></methodResponse>"
            )
        };
        assert_eq!(read_response(fault("48").as_bytes()), Ok(()));
        assert_eq!(
            read_response(fault("17").as_bytes()),
            Err("fault 17: nope".into())
        );
        assert!(read_response(b"<html>hi</html>").is_err());
    }
}
