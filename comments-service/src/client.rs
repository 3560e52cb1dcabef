//! Who is asking: the client address, believed from `X-Forwarded-For` only
//! when the peer is a configured trusted proxy (else anyone could forge one,
//! or every reader behind the proxy would share one rate-limit bucket).

use std::net::{IpAddr, Ipv6Addr};

use axum::http::{HeaderMap, header};

/// The client's address given the TCP `peer` and the trusted proxies.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&canonical(peer)) {
        return canonical(peer);
    }
    // Walk the chain from the right: the first hop that is not one of our
    // proxies is the client; everything left of it is the client's to forge.
    let mut hops: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(s) = v.to_str() else { continue };
        for part in s.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => hops.push(canonical(ip)),
                Err(_) => hops.push(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
            }
        }
    }
    for ip in hops.iter().rev() {
        if !trusted.contains(ip) {
            return *ip;
        }
    }
    canonical(peer)
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The form kept in the database: IPv4 /24, IPv6 /48, so a subnet can be
/// recognised in moderation but a person cannot be singled out.
pub fn anonymise(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::", s[0], s[1], s[2])
        }
    }
}

/// The values of the cookies called `name`.
pub fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(move |part| {
            let (k, v) = part.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(xff: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("x-forwarded-for", xff.parse().unwrap());
        m
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(peer, &h("1.2.3.4"), &[]), peer);
    }

    #[test]
    fn trusted_proxy_gives_the_rightmost_untrusted_hop() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let got = client_ip(proxy, &h("6.6.6.6, 198.51.100.7"), &[proxy]);
        assert_eq!(got, "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn addresses_are_stored_anonymised() {
        assert_eq!(anonymise("198.51.100.7".parse().unwrap()), "198.51.100.0");
        assert_eq!(
            anonymise("2001:db8:1:2::5".parse().unwrap()),
            "2001:db8:1::"
        );
    }
}
