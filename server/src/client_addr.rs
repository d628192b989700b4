//! Who is on the other end of a request. Behind a TLS-terminating reverse
//! proxy every connection comes from the proxy, so rate limits and the audit
//! log would see one client for the whole municipality. The client's address
//! is taken from `X-Forwarded-For` (or `Forwarded`) only when the connection
//! comes from a proxy the configuration names, and then it is the nearest
//! address in the chain that is not one of those proxies: a client can put
//! anything at the left end of the header, but not past our own proxy.

use app::server::ClientAddr;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// An address block: an address and how many leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    addr: IpAddr,
    bits: u8,
}

impl Block {
    fn parse(text: &str) -> Option<Self> {
        let (addr, bits) = match text.split_once('/') {
            Some((addr, bits)) => (addr.parse::<IpAddr>().ok()?, Some(bits.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Block { addr, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.bits)
                    == masked(u32::from(ip).into(), 32, self.bits)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.bits) == masked(u128::from(ip), 128, self.bits)
            }
            _ => false,
        }
    }
}

fn masked(value: u128, width: u32, bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        value >> (width - u32::from(bits))
    }
}

/// IPv4 addresses seen as `::ffff:a.b.c.d` (a dual-stack listener) are the
/// IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The reverse proxies whose forwarding headers are believed
/// (`VALGVAGT_TRUSTED_PROXIES`); empty means none, and the TCP peer is the
/// client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Block>);

impl TrustedProxies {
    /// A comma-separated list of addresses and blocks
    /// (`127.0.0.1, 10.0.0.0/8, fd00::/8`).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| Block::parse(part).ok_or_else(|| part.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(ip))
    }

    /// The client behind `peer`: walking the forwarding chain from the
    /// nearest hop outwards, the first address that is not a trusted proxy.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_chain(headers).into_iter().rev() {
            // A hop we cannot read ends the walk at the proxy that wrote it.
            let Some(hop) = hop else { return client };
            let hop = canonical(hop);
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// The addresses a request passed through, client first, from
/// `X-Forwarded-For` or else from RFC 7239 `Forwarded`'s `for=`. `None` marks
/// an entry that is not an address (`unknown`, an obfuscated name).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|entry| parse_hop(entry.trim()))
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    headers
        .get_all(header::FORWARDED)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_hop(value.trim()))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `"[2001:db8::1]:4711"`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = text.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Puts the request's [`ClientAddr`] where the server functions and the
/// audit log read it.
pub async fn client_addr_layer(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(peer) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
    {
        let client = trusted.client_of(peer, request.headers());
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(none.client_of(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn an_untrusted_peer_cannot_pick_its_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies.client_of(ip("198.51.100.7"), &h),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_forged_left_end_is_ignored_the_nearest_untrusted_hop_counts() {
        // The client sent "1.2.3.4" itself; our proxy appended what it saw.
        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 198.51.100.7"),
            ("x-forwarded-for", "10.1.2.3"),
        ]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("198.51.100.7"));
    }

    #[test]
    fn a_chain_of_only_proxies_ends_at_its_far_end() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]);
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &h), ip("10.0.0.5"));
    }

    #[test]
    fn an_unreadable_hop_stops_at_the_proxy_that_wrote_it() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let h = headers(&[("x-forwarded-for", "198.51.100.7, garbage")]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn rfc_7239_forwarded_with_ports_and_ipv6() {
        let proxies = TrustedProxies::parse("127.0.0.1, ::1").unwrap();
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"",
        )]);
        assert_eq!(proxies.client_of(ip("::1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("192.0.2.60"));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_blocks() {
        let proxies = TrustedProxies::parse("127.0.0.0/8").unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies.client_of(ip("::ffff:127.0.0.1"), &h),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn blocks_parse_and_bad_ones_are_named() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let p = TrustedProxies::parse("192.168.0.0/16,fd00::/8").unwrap();
        assert!(p.trusts(ip("192.168.44.1")));
        assert!(!p.trusts(ip("192.169.0.1")));
        assert!(p.trusts(ip("fd12::1")));
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .trusts(ip("8.8.8.8")));
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/33"),
            Err("10.0.0.0/33".into())
        );
        assert_eq!(
            TrustedProxies::parse("proxy.local"),
            Err("proxy.local".into())
        );
    }
}
