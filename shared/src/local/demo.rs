//! `backlinks demo`: the whole outreach loop on one machine. It serves a handful of
//! fixture websites on loopback, then drives the product through its own HTTP route table
//! (with a locally signed token) and job registry: the client's site and a UK link plan, a
//! campaign that follows it, discovery from a list, crawl, qualification, drafts with the
//! plan's targets and anchors, review, sending to the outbox, and replies of several kinds
//! dropped into the inbox and read by the reply-ingest job; the link won goes live in the
//! plan.

use super::runtime::{self, Local, LocalOptions};
use super::workers;
use crate::adapters::polite::Politeness;
use crate::domain::identity::Role;
use crate::jobs;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const TENANT: &str = "demo-agency";
const TARGET: &str = "https://client-shop.com/composting-guide";
const CLIENT_HOME: &str = "https://client-shop.com/";

/// The fixture sites: (domain, editor's first name, editor's mailbox).
const SITES: &[(&str, &str, &str)] = &[
    ("greenliving-journal.com", "Maya", "maya"),
    ("urban-garden-blog.com", "Tom", "tom"),
    ("compost-weekly.org", "Ed", "ed"),
    ("eco-home-ideas.net", "Anna", "anna"),
    ("balcony-harvest.com", "Jo", "jo"),
];
const PARKED: &str = "parked-domain-for-sale.com";

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub prospects_found: usize,
    pub emails_sent: usize,
    pub replies_by_class: BTreeMap<String, i64>,
    pub backlinks_by_status: BTreeMap<String, usize>,
    pub suppressed: usize,
    pub links_won: i64,
    /// The plan: market, links, months, budget, and its links live.
    pub plan: String,
    pub plan_links_live: u64,
    /// Each reply: who wrote, its class, and what it changed.
    pub replies: Vec<String>,
    pub data_dir: PathBuf,
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title><meta name=\"generator\" content=\"WordPress 6.5\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed/\"></head><body>{body}</body></html>"
    )
}

/// Every page of every fixture site, by (host, path).
fn fixture_pages() -> BTreeMap<(String, String), String> {
    let mut pages = BTreeMap::new();
    let now = chrono::Utc::now();
    let feed: String = (0..6)
        .map(|i| {
            format!(
                "<item><pubDate>{}</pubDate></item>",
                (now - chrono::Duration::days(i * 9)).to_rfc2822()
            )
        })
        .collect();
    for (domain, name, mailbox) in SITES {
        let text = "Practical guides for greener homes, gardens and kitchens. ".repeat(40);
        let mut add = |path: &str, html: String| {
            pages.insert((domain.to_string(), path.to_string()), html);
        };
        add(
            "/",
            page(
                &format!("{domain} magazine"),
                &format!(
                    "<h1>Sustainable living</h1><p>{text}</p><a href=\"/about\">About</a> <a href=\"/contact\">Contact</a> <a href=\"/write-for-us\">Write for us</a>"
                ),
            ),
        );
        add(
            "/about",
            page(
                "About",
                "<p>We are a small team of gardeners and writers.</p>",
            ),
        );
        add(
            "/contact",
            page(
                "Contact",
                &format!("<p>General enquiries: hello@{domain}</p>"),
            ),
        );
        add(
            "/write-for-us",
            page(
                "Write for us",
                &format!(
                    "<p>We accept guest posts. Pitch <a href=\"mailto:{mailbox}@{domain}\">{name} Fields</a>, our editor.</p>"
                ),
            ),
        );
        add("/feed/", format!("<rss><channel>{feed}</channel></rss>"));
        add(
            "/blog/composting-at-home",
            page(
                "Composting at home",
                &format!(
                    "<p>For the details, read this <a href=\"{TARGET}\">composting guide</a> \
                     from <a href=\"{CLIENT_HOME}\">Client Shop</a>.</p>"
                ),
            ),
        );
    }
    pages.insert(
        (PARKED.to_string(), "/".to_string()),
        "<p>This domain is for sale.</p>".into(),
    );
    pages
}

/// Serves the fixture sites on one loopback port, telling them apart by Host.
async fn serve_sites() -> std::io::Result<SocketAddr> {
    let pages = Arc::new(fixture_pages());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback(move |headers: HeaderMap, req: Request| {
        let pages = pages.clone();
        async move {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string();
            match pages.get(&(host, req.uri().path().to_string())) {
                Some(html) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "text/html")],
                    html.clone(),
                ),
                None => (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "text/html")],
                    String::new(),
                ),
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

struct Client {
    local: Local,
    token: String,
}

impl Client {
    /// One request through the product's own route table.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let req = req.body(bytes).map_err(|e| e.to_string())?;
        let res = self.local.api.handle(req).await;
        let status = res.status();
        let value: Value = serde_json::from_slice(res.body()).unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!("{method} {path} answered {status}: {value}"))
        }
    }

    async fn backlinks(&self, campaign: &str) -> Result<Value, String> {
        let path = format!("/v1/backlinks?campaignId={campaign}&limit=200");
        self.call("GET", &path, None).await
    }

    /// Runs every queue job (and the inbox) until nothing is left to do.
    async fn drain(&self) -> Result<(), String> {
        workers::drain_all(self.local.app.clone())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The replies the demo's prospects send, one kind each, as raw mail.
fn replies(sent: &[(String, String, String, String)]) -> Vec<(String, String)> {
    let date = chrono::Utc::now().to_rfc2822();
    let back = (chrono::Utc::now() + chrono::Duration::days(14)).format("%d.%m.%Y");
    sent.iter()
        .enumerate()
        .map(|(i, (to, message_id, reply_to, subject))| {
            let domain = to.split('@').nth(1).unwrap_or_default();
            let raw = match i % 5 {
                0 => format!("From: {to}\r\nTo: {reply_to}\r\nSubject: Re: {subject}\r\nDate: {date}\r\nMessage-ID: <r{i}@{domain}>\r\n\
In-Reply-To: <{message_id}>\r\n\r\nSounds good, send it over!\r\n\r\nOn Mon, Alice wrote:\r\n> {subject}\r\n"),
                1 => format!("From: {to}\r\nTo: {reply_to}\r\nSubject: Re: {subject}\r\nDate: {date}\r\nMessage-ID: <r{i}@{domain}>\r\n\r\n\
Done! It is live: http://{domain}/blog/composting-at-home\r\n\r\nSent from my iPhone\r\n"),
                2 => format!("From: {to}\r\nTo: {reply_to}\r\nSubject: Abwesenheitsnotiz: {subject}\r\nDate: {date}\r\n\
Message-ID: <r{i}@{domain}>\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <{message_id}>\r\n\r\n\
Ich bin bis zum {back} nicht im Buero.\r\n"),
                3 => format!("From: MAILER-DAEMON@mx.{domain}\r\nTo: {reply_to}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Date: {date}\r\nMessage-ID: <dsn{i}@mx.{domain}>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
Your message could not be delivered.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.{domain}\r\n\r\n\
Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Message-ID: <{message_id}>\r\nTo: {to}\r\n\r\n--b--\r\n"),
                _ => format!("From: {to}\r\nTo: {reply_to}\r\nSubject: Re: {subject}\r\nDate: {date}\r\nMessage-ID: <r{i}@{domain}>\r\n\r\n\
Please remove me from your list.\r\n"),
            };
            (format!("{i:04}-{domain}.eml"), raw)
        })
        .collect()
}

/// The client's site (homepage and its composting guide) and an active UK plan for it.
async fn plan_links(c: &Client) -> Result<Value, String> {
    let site = c
        .call(
            "POST",
            "/v1/sites",
            Some(json!({"name": "Client Shop", "url": CLIENT_HOME})),
        )
        .await?;
    let sid = site["id"].as_str().unwrap_or_default().to_string();
    let pages = json!({"pages": [
        {"url": CLIENT_HOME, "pageType": "homepage", "title": "Client Shop", "commercialValue": 10},
        {"url": TARGET, "pageType": "hub", "title": "Composting guide", "commercialValue": 8,
         "keywords": [{"keyword": "composting guide", "volume": 4400, "difficulty": 22},
                      {"keyword": "how to compost", "volume": 18100, "difficulty": 35}]}
    ]});
    c.call("PUT", &format!("/v1/sites/{sid}/pages"), Some(pages))
        .await?;
    let plan = c
        .call(
            "POST",
            "/v1/plans",
            Some(json!({"siteId": sid, "countryCode": "UK"})),
        )
        .await?;
    let id = plan["id"].as_str().unwrap_or_default();
    // The team front-loads month 1 so every prospect of this first campaign takes a planned
    // link: one link each moves there from the five busiest later months.
    let months = plan["monthlyPlan"].as_array().cloned().unwrap_or_default();
    let target = |m: &Value| m["linksTarget"].as_u64().unwrap_or(0);
    let mut later: Vec<&Value> = months.iter().skip(1).filter(|m| target(m) > 0).collect();
    later.sort_by_key(|m| std::cmp::Reverse(target(m)));
    let mut changes: Vec<Value> = later
        .iter()
        .take(5)
        .map(|m| json!({"month": m["month"], "linksTarget": target(m) - 1}))
        .collect();
    if let Some(first) = months.first() {
        let moved = changes.len() as u64;
        changes.push(json!({"month": 1, "linksTarget": target(first) + moved}));
        c.call(
            "PATCH",
            &format!("/v1/plans/{id}"),
            Some(json!({"months": changes})),
        )
        .await?;
    }
    c.call("POST", &format!("/v1/plans/{id}/activate"), None)
        .await
}

/// Runs the demo in `data_dir`, reporting each step through `progress`.
pub async fn run(data_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<Summary, String> {
    if std::fs::read_dir(data_dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} is not empty; the demo needs a folder of its own",
            data_dir.display()
        ));
    }
    progress("Serving 6 fixture websites on loopback");
    let sites = serve_sites().await.map_err(|e| e.to_string())?;
    let mut options = LocalOptions::new(data_dir);
    options.allow_private_network = true;
    options.resolve = SITES
        .iter()
        .map(|(d, _, _)| d.to_string())
        .chain([PARKED.to_string()])
        .map(|d| (d, sites))
        .collect();
    options.politeness = Politeness {
        min_interval: Duration::ZERO,
        retries: 1,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    };
    let local = runtime::build(options).await.map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().timestamp();
    let token = local
        .keys
        .mint(TENANT, "demo-user", Role::Admin, now, 3600)
        .map_err(|e| e.to_string())?;
    let c = Client { local, token };

    progress("Describing the client's site and planning its links for the UK");
    let plan = plan_links(&c).await?;
    let plan_id = plan["id"].as_str().unwrap_or_default().to_string();
    let plan_line = format!(
        "UK, {} links over {} months, ${}-${}",
        plan["totalLinksTarget"],
        plan["timelineMonths"],
        plan["budgetEstimateMin"],
        plan["budgetEstimateMax"]
    );
    progress(&format!("  {plan_line}"));

    progress("Setting up the sender and a campaign that follows the plan");
    c.call("PATCH", "/v1/settings/sender", Some(json!({
        "fromName": "Alice Agent", "fromEmail": "alice@agency.example.com", "organization": "Demo Agency",
        "postalAddress": "1 Main Street, Springfield",
        "sendWindow": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "startHour": 0, "endHour": 24, "timeZone": "UTC"}
    }))).await?;
    let campaign = c
        .call(
            "POST",
            "/v1/campaigns",
            Some(json!({
                "name": "Composting guide", "keywords": ["composting"], "targetUrl": TARGET, "planId": plan_id,
                "limits": {"maxEmailsPerDay": 50, "maxFollowUps": 2}, "followUpDelayDays": [4, 7]
            })),
        )
        .await?;
    let cid = campaign["id"].as_str().unwrap_or_default().to_string();
    c.call("POST", &format!("/v1/campaigns/{cid}/activate"), None)
        .await?;

    progress("Discovering prospects from a list, then crawling and qualifying them");
    let urls: Vec<String> = SITES
        .iter()
        .map(|(d, _, _)| format!("https://{d}/"))
        .chain([format!("https://{PARKED}/")])
        .collect();
    let job = c
        .call(
            "POST",
            "/v1/jobs",
            Some(json!({"name": "Demo list", "campaignId": cid, "urls": urls})),
        )
        .await?;
    c.drain().await?;
    let job = c
        .call(
            "GET",
            &format!("/v1/jobs/{}", job["id"].as_str().unwrap_or_default()),
            None,
        )
        .await?;
    progress(&format!(
        "  {} sites checked: {} qualified, {} rejected",
        job["processedUrls"], job["passedUrls"], job["rejectedUrls"]
    ));

    let backlinks = c.backlinks(&cid).await?;
    let prospects = backlinks["items"].as_array().cloned().unwrap_or_default();
    progress(&format!("Drafting {} personal emails", prospects.len()));
    for b in &prospects {
        let id = b["id"].as_str().unwrap_or_default();
        c.call(
            "POST",
            &format!("/v1/backlinks/{id}/draft"),
            Some(json!({})),
        )
        .await?;
    }
    progress("Reviewing and approving the drafts");
    c.call("POST", &format!("/v1/campaigns/{cid}/review/request"), None)
        .await?;
    c.call("POST", &format!("/v1/campaigns/{cid}/review/approve"), None)
        .await?;

    progress("Sending inside the send window, under policy and caps, to the outbox");
    let scheduler = jobs::by_name("send-scheduler").ok_or("no send-scheduler job")?;
    jobs::run_scheduled(c.local.app.clone(), &scheduler)
        .await
        .map_err(|e| e.to_string())?;
    c.drain().await?;
    let outbox = data_dir.join("outbox");
    let mut sent = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .map_err(|e| format!("{}: {e}", outbox.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for path in files {
        let eml = std::fs::read(&path).map_err(|e| e.to_string())?;
        // Our own mail, read back with the parser the inbound path uses.
        if let Some(m) = crate::domain::inbound::parse(&eml)
            && let (Some(to), Some(id), Some(reply_to)) =
                (m.recipients.first(), m.message_id, m.reply_to)
        {
            sent.push((to.clone(), id, reply_to, m.subject));
        }
    }
    progress(&format!("  {} emails in {}", sent.len(), outbox.display()));

    progress(
        "Replies arrive in the inbox: interested, agreed, out of office, a bounce, an unsubscribe",
    );
    let inbox = data_dir.join("inbox");
    for (name, raw) in replies(&sent) {
        std::fs::write(inbox.join(name), raw).map_err(|e| e.to_string())?;
    }
    c.drain().await?;

    let analytics = c
        .call("GET", &format!("/v1/campaigns/{cid}/analytics"), None)
        .await?;
    let plan = c.call("GET", &format!("/v1/plans/{plan_id}"), None).await?;
    let mut summary = Summary {
        prospects_found: prospects.len(),
        emails_sent: sent.len(),
        links_won: analytics["linksWon"].as_i64().unwrap_or(0),
        plan: plan_line,
        plan_links_live: plan["progress"]["live"].as_u64().unwrap_or(0),
        data_dir: data_dir.to_path_buf(),
        ..Default::default()
    };
    if let Some(by_class) = analytics["repliesByClass"].as_object() {
        summary.replies_by_class = by_class
            .iter()
            .filter_map(|(k, v)| v.as_i64().filter(|n| *n > 0).map(|n| (k.clone(), n)))
            .collect();
    }
    let backlinks = c.backlinks(&cid).await?;
    for b in backlinks["items"].as_array().into_iter().flatten() {
        *summary
            .backlinks_by_status
            .entry(b["outreachStatus"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    let read = c.call("GET", "/v1/replies?limit=200", None).await?;
    for r in read["items"].as_array().into_iter().flatten().rev() {
        let effects: Vec<&str> = r["effects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        summary.replies.push(format!(
            "{} -> {}: {}",
            r["fromEmail"].as_str().unwrap_or_default(),
            r["classification"].as_str().unwrap_or_default(),
            if effects.is_empty() {
                "nothing to do".to_string()
            } else {
                effects.join(", ")
            }
        ));
    }
    let suppressed = c.call("GET", "/v1/suppressions", None).await?;
    summary.suppressed = suppressed["items"].as_array().map_or(0, Vec::len);
    Ok(summary)
}

/// The printed summary.
pub fn report(summary: &Summary) -> String {
    let mut out = format!(
        "\nDemo finished.\n  link plan:           {} ({} live)\n  prospects qualified: {}\n  emails sent:         {}\n  backlinks by status: {}\n  suppressed (tenant): {}\n  links won:           {}\n  data folder:         {} (outbox/, inbox/processed/, backlinks.sqlite3)\n  replies by class:    {}\n",
        summary.plan,
        summary.plan_links_live,
        summary.prospects_found,
        summary.emails_sent,
        fmt_map(&summary.backlinks_by_status),
        summary.suppressed,
        summary.links_won,
        summary.data_dir.display(),
        fmt_map(&summary.replies_by_class),
    );
    for line in &summary.replies {
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str(&format!(
        "  explore:             backlinks serve --data-dir {} and a token from backlinks dev-token --tenant {TENANT} --user demo-user --data-dir {}\n",
        summary.data_dir.display(),
        summary.data_dir.display()
    ));
    out
}

fn fmt_map<V: std::fmt::Display>(map: &BTreeMap<String, V>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
