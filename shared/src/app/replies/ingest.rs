//! Taking in one message: parse, recognise our own outbound copies, match it to the
//! attempt it answers (Reply-To token, then threading ids, then sender address and
//! domain), classify it, store it once per Message-ID, and apply its effects.

use super::effects;
use super::keys::{self, InboundSeen, OutboundMessage, UnroutedReply};
use super::recipients::{allowed, newest};
use crate::app::outreach::sending;
use crate::app::outreach::{emails, sender};
use crate::app::{App, AppError, backlinks, entity};
use crate::domain::email::registrable_domain;
use crate::domain::ids::{ReplyId, TenantId};
use crate::domain::inbound::{self, InboundMail};
use crate::domain::outreach::ReplyTarget;
use crate::domain::reply::text::strip_quoted;
use crate::domain::reply::{
    self, AiUsage, MatchedBy, Reply, ReplyAnalysis, ReplyClass, ReplyMatch,
};
use crate::domain::text::trim_excerpt;
use crate::domain::time::Timestamp;
use crate::ports::llm::LlmRequest;
use crate::ports::table::{Condition, TableError, TransactOp};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A stored inbound message waiting to be read: the object key (S3 in the cloud, a file in
/// local mode's inbox) and the envelope recipients the receiving server saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboundObject {
    pub key: String,
    #[serde(default)]
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ingested {
    Stored(TenantId, Reply),
    /// Delivered before: the reply stored then.
    Duplicate(TenantId, Reply),
    /// A copy of a message we sent (a journaling copy, a mailing-list echo): not a reply.
    OwnMessage,
    /// No tenant could be found for it; kept for the platform's operators.
    Unrouted(ReplyId),
}

impl std::fmt::Display for Ingested {
    /// Ids and the class only: logs never carry a message's text or addresses.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ingested::Stored(tenant, reply) => write!(
                f,
                "stored {} for {tenant} as {}",
                reply.id,
                reply.analysis.classification.as_str()
            ),
            Ingested::Duplicate(tenant, reply) => {
                write!(f, "already stored as {} for {tenant}", reply.id)
            }
            Ingested::OwnMessage => f.write_str("a copy of our own message, ignored"),
            Ingested::Unrouted(id) => write!(f, "kept unrouted as {id}"),
        }
    }
}

/// Addresses at these providers say nothing about which company wrote.
const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
];

struct Found {
    target: ReplyTarget,
    by: MatchedBy,
    /// Sent to the List-Unsubscribe mailto address.
    unsubscribe: bool,
}

/// Reads the object and ingests it (the reply-ingest job).
pub async fn ingest_object(app: &App, object: &InboundObject) -> Result<Ingested, AppError> {
    let raw = app.blobs.get(&object.key).await.map_err(|e| match e {
        crate::ports::BlobError::NotFound(key) => {
            AppError::invalid("key", format!("no stored message {key}"))
        }
        other => other.into(),
    })?;
    ingest(app, &raw, &object.recipients, None).await
}

/// Ingests one raw message. With `tenant`, only that tenant's attempts can match and an
/// unmatched message lands in that tenant's unmatched list.
pub async fn ingest(
    app: &App,
    raw: &[u8],
    envelope: &[String],
    tenant: Option<&TenantId>,
) -> Result<Ingested, AppError> {
    // A bounce may come with no From at all (only a null envelope sender): it is still
    // read and classified.
    let mail = inbound::parse(raw)
        .ok_or_else(|| AppError::invalid("message", "is not an email message (no headers)"))?;
    let fallback_id = format!("sha256-{}", crate::app::store::sha256_hex(raw));
    receive(app, mail, envelope, tenant, None, &fallback_id).await
}

/// The attempt one of our Message-IDs belongs to.
async fn outbound(app: &App, message_id: &str) -> Result<Option<ReplyTarget>, AppError> {
    let found: Option<OutboundMessage> = app
        .table
        .get(&keys::outbound(message_id))
        .await?
        .map(entity::read)
        .transpose()?;
    Ok(found.map(|o| o.target))
}

async fn find_target(
    app: &App,
    mail: &InboundMail,
    envelope: &[String],
    tenant: Option<&TenantId>,
    machine: Option<&ReplyAnalysis>,
) -> Result<Option<Found>, AppError> {
    for address in envelope.iter().chain(&mail.recipients) {
        let local = address
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let (token, unsubscribe) = match (
            local.strip_prefix("reply+"),
            local.strip_prefix("unsubscribe+"),
        ) {
            (Some(t), _) => (t.to_string(), false),
            (_, Some(t)) => (t.to_string(), true),
            _ => continue,
        };
        // Our tokens are 32 hex digits; anything else is no token of ours.
        if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        if let Some(target) = sending::reply_target(app, &token).await?
            && allowed(&target, tenant)
        {
            return Ok(Some(Found {
                target,
                by: MatchedBy::ReplyToken,
                unsubscribe,
            }));
        }
    }
    for id in mail.thread_ids() {
        if let Some(target) = outbound(app, id).await?
            && allowed(&target, tenant)
        {
            return Ok(Some(Found {
                target,
                by: MatchedBy::Thread,
                unsubscribe: false,
            }));
        }
    }
    // A bounce or complaint speaks for the addresses it names, not for its sender.
    let named = machine.and_then(|c| {
        c.bounce
            .as_ref()
            .map(|b| b.recipients.clone())
            .or_else(|| c.complaint.as_ref().map(|k| k.recipients.clone()))
    });
    let counterparts = named.unwrap_or_else(|| mail.from.iter().cloned().collect());
    for address in counterparts.iter().filter(|a| a.len() <= 254) {
        if let Some(target) = newest(app, keys::by_recipient(address), tenant).await? {
            return Ok(Some(Found {
                target,
                by: MatchedBy::SenderAddress,
                unsubscribe: false,
            }));
        }
    }
    let human = machine.is_none_or(|c| c.bounce.is_none() && c.complaint.is_none());
    if human
        && let Some(domain) = mail
            .from
            .as_deref()
            .and_then(|f| f.split('@').nth(1))
            .and_then(registrable_domain)
            .filter(|d| d.len() <= 253)
        && !FREEMAIL.contains(&domain.as_str())
        && let Some(target) = newest(app, keys::by_recipient_domain(&domain), tenant).await?
    {
        return Ok(Some(Found {
            target,
            by: MatchedBy::SenderDomain,
            unsubscribe: false,
        }));
    }
    Ok(None)
}

/// The tenant whose own reply domain the message was sent to, if any.
async fn domain_owner(
    app: &App,
    envelope: &[String],
    mail: &InboundMail,
) -> Result<Option<TenantId>, AppError> {
    for address in envelope.iter().chain(&mail.recipients) {
        if let Some(domain) = address.rsplit_once('@').map(|(_, d)| d)
            && domain.len() <= 253
            && let Some(owner) = sender::reply_domain_owner(app, domain).await?
        {
            return Ok(Some(owner));
        }
    }
    Ok(None)
}

/// The LLM's reading of a person's reply, when an LLM is configured and answers sensibly.
async fn llm_classify(
    app: &App,
    mail: &InboundMail,
    text: &str,
    prospect_domains: &[String],
) -> Option<(ReplyAnalysis, AiUsage)> {
    let llm = app.llm.as_ref()?;
    let classes: Vec<&str> = ReplyClass::ALL
        .iter()
        .filter(|c| c.is_human())
        .map(|c| c.as_str())
        .collect();
    let system = format!(
        "You read replies to link-building outreach emails. Answer with one JSON object: {{\"classification\": one of {}, \
         \"sentiment\": positive|neutral|negative, \"intent\": a few words, \"urgency\": low|medium|high, \
         \"recommendedAction\": a few words, \"suggestedReply\": a short reply we could send, \"confidence\": 0 to 1}}. \
         agreed means the link is placed or will be.",
        classes.join(", ")
    );
    let user = format!("Subject: {}\n\n{}", mail.subject, trim_excerpt(text, 4_000));
    let started = Instant::now();
    let response = llm
        .complete(LlmRequest {
            model: None,
            system,
            user,
            temperature: 0.0,
            max_tokens: 500,
            json: true,
        })
        .await
        .map_err(|e| tracing::warn!(error = %e, "LLM classification failed; using the rules"))
        .ok()?;
    let body = response
        .content
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```");
    let answer: serde_json::Value = serde_json::from_str(body).ok()?;
    let classification = reply::from_llm(&answer, text, prospect_domains)?;
    Some((
        classification,
        AiUsage {
            model: response.model,
            tokens: response.prompt_tokens + response.completion_tokens,
            cost_usd: response.cost_usd,
            time_ms: started.elapsed().as_millis() as u64,
        },
    ))
}

/// An entity that may be gone: absent is `None`, any other failure is an error.
fn found_or_none<T>(result: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Takes in a parsed message. `forced` is a verdict already known (SES feedback);
/// `fallback_id` deduplicates a message that has no Message-ID.
pub(crate) async fn receive(
    app: &App,
    mail: InboundMail,
    envelope: &[String],
    tenant: Option<&TenantId>,
    forced: Option<ReplyAnalysis>,
    fallback_id: &str,
) -> Result<Ingested, AppError> {
    if let Some(id) = &mail.message_id
        && app.table.get(&keys::outbound(id)).await?.is_some()
    {
        return Ok(Ingested::OwnMessage);
    }
    let ours = vec![app.outreach.default_reply_domain.clone()];
    let received = app.clock.now().datetime().date_naive();
    let machine = forced.or_else(|| reply::classify_machine(&mail, &ours, received));
    let found = find_target(app, &mail, envelope, tenant, machine.as_ref()).await?;
    // A transient store error fails the message (the queue retries it) before anything is
    // written: an unmatched reply stored now would block the retry with its dedupe record.
    let email = match &found {
        Some(f) => found_or_none(emails::get(app, &f.target.tenant_id, &f.target.email_id).await)?,
        None => None,
    };
    let mut prospect_domains: Vec<String> = mail
        .from
        .iter()
        .filter_map(|f| f.split('@').nth(1))
        .map(str::to_string)
        .collect();
    if let (Some(e), Some(f)) = (&email, &found)
        && let Some(b) =
            found_or_none(backlinks::get(app, &f.target.tenant_id, &e.backlink_id).await)?
    {
        prospect_domains.push(b.source_domain.to_string());
    }
    let reply_text = strip_quoted(&mail.text);
    let (analysis, ai) = if found.as_ref().is_some_and(|f| f.unsubscribe) {
        (reply::verdict(ReplyClass::UnsubscribeRequest, 1.0), None)
    } else if let Some(c) = machine {
        (c, None)
    } else if let Some((c, usage)) = llm_classify(app, &mail, &reply_text, &prospect_domains).await
    {
        (c, Some(usage))
    } else {
        (reply::classify_human(&mail.text, &prospect_domains), None)
    };
    let now = app.clock.now();
    let id = ReplyId::from_uuid(app.ids.next());
    let matched = match (&found, &email) {
        (Some(f), Some(e)) => Some(ReplyMatch {
            email_id: e.id.clone(),
            campaign_id: e.campaign_id.clone(),
            backlink_id: e.backlink_id.clone(),
            sequence: f.target.sequence,
            matched_by: f.by,
        }),
        _ => None,
    };
    let reply = Reply {
        id: id.clone(),
        message_id: mail.message_id.clone(),
        in_reply_to: mail.in_reply_to.first().cloned(),
        from_email: mail.from.clone().unwrap_or_default(),
        from_name: mail.from_name.clone(),
        subject: mail.subject.chars().take(500).collect(),
        body_text: mail.text.chars().take(50_000).collect(),
        reply_text: reply_text.chars().take(20_000).collect(),
        received_at: mail.date.map(Timestamp::from_datetime).unwrap_or(now),
        analysis,
        ai,
        campaign_id: matched.as_ref().map(|m| m.campaign_id.clone()),
        matched,
        reviewed: false,
        notes: None,
        effects: vec![],
        effects_applied: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let owner = match (&found, tenant) {
        (None, None) => domain_owner(app, envelope, &mail).await?,
        _ => None,
    };
    let tenant = match (&found, tenant, owner) {
        (Some(f), _, _) => f.target.tenant_id.clone(),
        (None, Some(t), _) => t.clone(),
        (None, None, Some(t)) => t,
        (None, None, None) => {
            tracing::warn!(reply = %id, from = %reply.from_email, "inbound mail matched no tenant; kept as unrouted");
            app.table
                .put(
                    entity::item(&UnroutedReply(reply), &entity::Platform)?,
                    None,
                )
                .await?;
            return Ok(Ingested::Unrouted(id));
        }
    };
    let dedupe = mail.message_id.as_deref().unwrap_or(fallback_id);
    let sentinel = InboundSeen {
        message_id: dedupe.to_string(),
        reply_id: id.clone(),
    };
    let stored = app
        .table
        .transact(vec![
            TransactOp::Put {
                item: entity::item(&sentinel, &tenant)?,
                condition: Some(Condition::NotExists),
            },
            TransactOp::Put {
                item: entity::item(&reply, &tenant)?,
                condition: Some(Condition::NotExists),
            },
        ])
        .await;
    match stored {
        Ok(()) => Ok(Ingested::Stored(
            tenant.clone(),
            effects::apply_to(app, &tenant, reply, email.as_ref(), None).await?,
        )),
        Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
            let seen = match app.table.get(&keys::seen(&tenant, dedupe)).await? {
                Some(item) => entity::read::<InboundSeen>(item)?.reply_id,
                None => {
                    return Err(AppError::Unavailable(
                        "a duplicate without its reply".into(),
                    ));
                }
            };
            let earlier = super::get(app, &tenant, &seen).await?;
            // A crash may have come between storing and acting: finish the effects now.
            let earlier = if earlier.effects_applied {
                earlier
            } else {
                effects::apply(app, &tenant, earlier).await?
            };
            Ok(Ingested::Duplicate(tenant, earlier))
        }
        Err(e) => Err(e.into()),
    }
}
