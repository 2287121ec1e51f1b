//! Which address a request came from. The socket's peer, unless that peer is one of the
//! configured trusted proxies (`CONFORM_TRUSTED_PROXIES`): then the right-most address in
//! `X-Forwarded-For` that is not itself a trusted proxy. A header from anyone else is ignored,
//! so a client cannot choose the address its sign-in attempts are counted against.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated addresses or CIDR blocks (`10.0.0.5, 192.168.0.0/16, ::1`); blank
    /// means none.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let net = match entry.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => entry
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("not an IP address or CIDR block: {entry}"))?,
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer`, or, when `peer` is trusted, the right-most untrusted
    /// entry of the `X-Forwarded-For` values (in order of appearance). An entry that is not
    /// an address stops the walk at the last trusted hop.
    pub fn client_ip<'a>(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> Option<IpAddr> {
        let peer = peer?.to_canonical();
        if !self.contains(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        Some(client)
    }
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let proxies = TrustedProxies::parse("10.0.0.1, 192.168.0.0/16").unwrap();
        // From the proxy: the right-most address the proxy did not add itself.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), ["6.6.6.6, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        // Through two trusted hops.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), ["6.6.6.6, 203.0.113.9, 192.168.1.1"]),
            ip("203.0.113.9")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            proxies.client_ip(ip("198.51.100.7"), ["203.0.113.9"]),
            ip("198.51.100.7")
        );
        // Garbage stops the walk; no header means the proxy itself.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.1"), ["203.0.113.9, nonsense"]),
            ip("10.0.0.1")
        );
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), []), ip("10.0.0.1"));
        assert_eq!(proxies.client_ip(None, ["203.0.113.9"]), None);
    }

    #[test]
    fn nothing_is_trusted_by_default_and_bad_entries_are_refused() {
        let none = TrustedProxies::parse(" ").unwrap();
        assert!(none.is_empty());
        assert_eq!(
            none.client_ip(ip("127.0.0.1"), ["203.0.113.9"]),
            ip("127.0.0.1")
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        let v6 = TrustedProxies::parse("::1").unwrap();
        assert_eq!(
            v6.client_ip(ip("::1"), ["[2001:db8::1]:4711"]),
            ip("2001:db8::1")
        );
        // An IPv4 peer seen through an IPv6 socket is the same peer.
        let v4 = TrustedProxies::parse("127.0.0.1").unwrap();
        assert!(v4.contains("::ffff:127.0.0.1".parse().unwrap()));
    }
}
