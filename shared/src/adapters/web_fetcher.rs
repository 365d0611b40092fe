//! The SSRF-safe fetcher (reqwest). Only http and https on ordinary ports; every address a
//! host resolves to must be public, and the connection goes to the very addresses that were
//! checked, so DNS rebinding cannot slip a private address in between. Redirects are
//! followed by hand, each hop checked again. Connect and total timeouts, and a body cap
//! that applies after decompression.

use crate::ports::fetcher::{FetchError, Fetched, Fetcher, MAX_HEADERS};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::{Host, Url};

#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Private and loopback addresses (and any port) are fetched only when true: local
    /// mode's explicit opt-in, so tests can serve fixture sites on loopback. Link-local
    /// addresses, where cloud metadata lives, stay refused.
    pub allow_private: bool,
    pub max_redirects: usize,
    pub max_body_bytes: usize,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub user_agent: String,
    /// Fixed addresses for host names (local mode only, with `allow_private`): lets
    /// fixture sites on loopback answer for real-looking domains.
    pub resolve: Vec<(String, SocketAddr)>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            // Link checks follow and record up to ten hops (issue 15).
            max_redirects: 10,
            max_body_bytes: 2 * 1024 * 1024,
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
            user_agent: concat!("BacklinksBot/", env!("CARGO_PKG_VERSION")).into(),
            resolve: vec![],
        }
    }
}

/// Cloud metadata services live at link-local 169.254.169.254 and at fd00:ec2::254; they
/// are refused even when local mode allows private networks.
fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v| v.is_link_local())
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

/// Whether an address may be fetched under the policy.
fn allowed(ip: IpAddr, allow_private: bool) -> bool {
    is_public(ip) || (allow_private && !is_link_local(ip))
}

/// Whether an address is on the public internet. Everything else is refused: loopback,
/// private, link-local (cloud metadata lives there), CGNAT, unique-local, multicast,
/// documentation and reserved ranges, and v6 forms that embed a v4 address are judged by
/// that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry a v4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7 (includes fd00:ec2::254)
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] == 0 && s[1..6] == [0, 0, 0, 0, 0]) // v4-compatible and other ::/80
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0)) // Teredo
}

/// Resolves names and refuses any that lead to a non-public address. reqwest connects to
/// exactly the addresses returned here. Webhook delivery connects through it too.
pub(crate) struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no addresses").into());
            }
            if let Some(bad) = addrs.iter().find(|a| !allowed(a.ip(), allow_private)) {
                return Err(
                    format!("{host} resolves to a non-public address ({})", bad.ip()).into(),
                );
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The checks that do not need DNS: scheme, port, and literal IP hosts (webhook delivery
/// applies them too).
pub(crate) fn check_url(policy: &FetchPolicy, url: &Url) -> Result<(), FetchError> {
    let refuse = |reason: &str| FetchError::Refused {
        url: url.to_string(),
        reason: reason.into(),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("only http and https are fetched"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("URLs with credentials are not fetched"));
    }
    let ip = match url.host() {
        None => return Err(refuse("no host")),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => None,
    };
    if let Some(ip) = ip
        && !allowed(ip, policy.allow_private)
    {
        return Err(refuse("the address is not public"));
    }
    if policy.allow_private {
        return Ok(());
    }
    match url.port_or_known_default() {
        Some(80 | 443 | 8080 | 8443) => Ok(()),
        _ => Err(refuse("only ports 80, 443, 8080 and 8443 are fetched")),
    }
}

/// A reqwest error as a fetch error; the resolver's refusal is a refusal, not a network error.
pub(crate) fn classify(url: &Url, e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout(url.to_string());
    }
    // The resolver's refusal surfaces as a connect error; report it as a refusal.
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = source {
        let text = err.to_string();
        if text.contains("non-public address") {
            return FetchError::Refused {
                url: url.to_string(),
                reason: text,
            };
        }
        source = err.source();
    }
    FetchError::Network {
        url: url.to_string(),
        reason: e.to_string(),
    }
}

pub struct WebFetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl WebFetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let mut builder = crate::tls::reqwest_builder();
        if policy.allow_private {
            for (host, addr) in &policy.resolve {
                builder = builder.resolve(host, *addr);
            }
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: policy.allow_private,
            }))
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .user_agent(policy.user_agent.clone())
            // A crawl visits a host a few times in a row, then moves on for good: keep one
            // idle connection per host for a second, so thousands of hosts do not pile up
            // (idle connections were most of the crawl benchmark's memory).
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(Duration::from_secs(1))
            .no_proxy()
            .build()
            .map_err(|e| FetchError::Network {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self { client, policy })
    }

    async fn read_capped(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<(Bytes, bool), FetchError> {
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(url, e))? {
            let room = self.policy.max_body_bytes - body.len();
            if chunk.len() >= room {
                body.extend_from_slice(&chunk[..room]);
                return Ok((body.freeze(), true));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body.freeze(), false))
    }
}

#[async_trait]
impl Fetcher for WebFetcher {
    async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        let mut redirects = Vec::new();
        for _ in 0..=self.policy.max_redirects {
            check_url(&self.policy, &current)?;
            let response = self
                .client
                .get(current.clone())
                .send()
                .await
                .map_err(|e| classify(&current, e))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(reqwest::header::LOCATION)
            {
                let location = location.to_str().unwrap_or_default();
                let next = current.join(location).map_err(|_| FetchError::Network {
                    url: current.to_string(),
                    reason: format!("bad redirect location {location:?}"),
                })?;
                redirects.push(std::mem::replace(&mut current, next));
                continue;
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let headers = response
                .headers()
                .iter()
                .take(MAX_HEADERS)
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let (body, truncated) = self.read_capped(&current, response).await?;
            return Ok(Fetched {
                final_url: current,
                status: status.as_u16(),
                content_type,
                body,
                truncated,
                retry_after,
                redirects,
                headers,
            });
        }
        Err(FetchError::TooManyRedirects(url.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:c0a8:101::1",
            "2001:db8::1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should be refused");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }
}
