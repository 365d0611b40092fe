//! Drafting outreach emails (from a template, by the LLM, or from the built-in template),
//! and the review flow: edit, approve (one or a whole campaign), skip, send now.

use super::keys::{self, BacklinkEmail};
use super::{sender, sending, templates};
use crate::app::entity;
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{Versioned, from_item, modify_versioned};
use crate::app::{App, AppError, backlinks, campaigns, crawl, totals};
use crate::domain::FieldErrors;
use crate::domain::backlink::SourceType;
use crate::domain::campaign::{Campaign, CampaignStatus};
use crate::domain::identity::Identity;
use crate::domain::ids::{BacklinkId, CampaignId, EmailId, TemplateId, TenantId};
use crate::domain::outreach::{
    Counter, EmailStatus, Generation, Generator, OutreachEmail, ReviewStatus, render,
    template_values,
};
use crate::domain::text::{multi_line, single_line, trim_excerpt};
use crate::ports::llm::LlmRequest;
use crate::ports::table::{Condition, Index, Query, TransactOp, Update};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftRequest {
    /// Draft from this template; otherwise the LLM writes it (or the built-in template).
    #[serde(default)]
    pub template_id: Option<String>,
    /// The campaign's tone when absent.
    #[serde(default)]
    pub tone: Option<crate::domain::campaign::Tone>,
    /// What to pitch; the campaign's first keyword when absent.
    #[serde(default)]
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailPatch {
    pub subject: Option<String>,
    pub body: Option<String>,
    pub recipient_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailFilter {
    pub campaign_id: Option<String>,
    pub status: Option<EmailStatus>,
    /// Only emails whose next follow-up waits for review (true) or does not (false).
    pub follow_up_review: Option<bool>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub const FALLBACK_SUBJECT: &str = "A resource for {{site_name}} readers";
pub const FALLBACK_BODY: &str = "Hi {{recipient_first_name}},\n\n\
I have been reading {{site_name}} and enjoyed it. {{pitch_rationale}}\n\n\
We recently published a piece on {{topic}} that I think your readers would find useful: \
{{target_url}}\n\nWould you consider linking to it, or would you like a guest post on the topic?\n\n\
Best regards,\n{{sender_name}}\n{{sender_organization}}";

pub async fn get(app: &App, tenant: &TenantId, id: &EmailId) -> Result<OutreachEmail, AppError> {
    match app.table.get(&keys::email(tenant, id)).await? {
        Some(item) => entity::read(item),
        None => Err(AppError::NotFound("email")),
    }
}

impl Versioned for OutreachEmail {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: crate::domain::time::Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}

/// Reads, changes and writes an email under its version, retrying a lost race.
pub(crate) async fn modify(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
    change: impl Fn(&mut OutreachEmail) -> Result<(), AppError>,
) -> Result<OutreachEmail, AppError> {
    let key = keys::email(tenant, id);
    modify_versioned(app, &key, "email", |e| entity::item(e, tenant), change).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LlmDraft {
    subject: String,
    body: String,
    confidence: f64,
}

/// Asks the LLM for a personal draft; None (and a log line) when it fails or answers badly.
async fn llm_draft(
    app: &App,
    vars: &BTreeMap<String, String>,
    tone: &str,
    crawl_excerpt: &str,
) -> Option<(String, String, Generation)> {
    let llm = app.llm.as_ref()?;
    let facts = serde_json::to_string(vars).unwrap_or_default();
    let system = format!(
        "You write short, personal link-building outreach emails in a {tone} tone. No flattery clichés, no \
         placeholders, at most 150 words. Answer with one JSON object: {{\"subject\": one line, \"body\": plain text \
         ending with the sender's name, \"confidence\": 0 to 1}}."
    );
    let user = format!(
        "Facts: {facts}\nThe prospect's site says:\n{}",
        trim_excerpt(crawl_excerpt, 2_000)
    );
    let started = Instant::now();
    let request = LlmRequest {
        model: None,
        system: system.clone(),
        user: user.clone(),
        temperature: 0.7,
        max_tokens: 700,
        json: true,
    };
    let response = match llm.complete(request).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "LLM draft failed; using the built-in template");
            return None;
        }
    };
    let text = response
        .content
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```");
    let draft: LlmDraft = serde_json::from_str(text).ok()?;
    let subject = single_line(&draft.subject, 200).ok()?;
    let body = multi_line(&draft.body, 10_000)
        .ok()
        .filter(|b| !b.is_empty())?;
    let generation = Generation {
        generator: Generator::Llm,
        model: Some(response.model),
        prompt: Some(format!("{system}\n\n{user}")),
        temperature: Some(0.7),
        confidence: draft.confidence.clamp(0.0, 1.0),
        tokens: response.prompt_tokens + response.completion_tokens,
        cost_usd: response.cost_usd,
        generation_time_ms: started.elapsed().as_millis() as u64,
    };
    Some((subject, body, generation))
}

/// A backlink of a campaign that follows a plan takes the target page and anchor of one of
/// the plan's due links, once; its email is then written for them.
async fn follow_plan(
    app: &App,
    tenant: &TenantId,
    c: &crate::domain::campaign::Campaign,
    b: crate::domain::backlink::Backlink,
) -> Result<crate::domain::backlink::Backlink, AppError> {
    let (Some(plan), None) = (&c.plan_id, &b.planned_link_id) else {
        return Ok(b);
    };
    let Some(link) = crate::app::plans::outreach::claim(app, tenant, plan, &b).await? else {
        return Ok(b);
    };
    backlinks::modify(app, tenant, &b.id, |b| {
        b.target_url = Some(link.target_url.clone());
        b.anchor_text = Some(link.anchor_text.clone());
        b.plan_id = Some(plan.clone());
        b.planned_link_id = Some(link.id.clone());
        Ok(())
    })
    .await
}

/// `draftEmail`: the outreach email for a backlink, from a template, by the LLM, or from
/// the built-in template (marked as such). A draft may be redrafted; an approved or sent
/// email may not.
pub async fn draft(
    app: &App,
    tenant: &TenantId,
    backlink_id: &BacklinkId,
    input: DraftRequest,
) -> Result<OutreachEmail, AppError> {
    let b = backlinks::get(app, tenant, backlink_id).await?;
    if b.source_type != SourceType::Outreach {
        return Err(AppError::Conflict(
            "only outreach backlinks get emails".into(),
        ));
    }
    let Some(campaign_id) = b.campaign_id.clone() else {
        return Err(AppError::Conflict(
            "the backlink is in no campaign; set campaignId first".into(),
        ));
    };
    let Some(recipient) = b.recipient_email.clone() else {
        return Err(AppError::Conflict(
            "the backlink has no recipientEmail; crawl it or set one".into(),
        ));
    };
    let template = match input.template_id.as_deref() {
        None => None,
        Some(raw) => {
            let id = TemplateId::parse(raw)
                .map_err(|e| AppError::Invalid(vec![e.within("templateId")]))?;
            match templates::get(app, tenant, &id).await {
                Ok(t) => Some(t),
                Err(AppError::NotFound(_)) => {
                    return Err(AppError::invalid("templateId", "no such template"));
                }
                Err(e) => return Err(e),
            }
        }
    };
    let topic = match input.topic.as_deref() {
        Some(t) => single_line(t, 200).map_err(|e| AppError::Invalid(vec![e.within("topic")]))?,
        None => String::new(),
    };
    let c = campaigns::get(app, tenant, &campaign_id).await?;
    let b = follow_plan(app, tenant, &c, b).await?;
    let settings = sender::get(app, tenant).await?;
    let cached = crawl::cached(app, &b.source_domain).await?;
    let topic = if topic.is_empty() {
        c.keywords.first().cloned().unwrap_or_default()
    } else {
        topic
    };
    let vars = template_values(
        &b,
        &c,
        &settings,
        cached.as_ref().map(|r| r.signals.title.as_str()),
        &topic,
    );
    let tone = serde_json::to_value(input.tone.unwrap_or(c.tone))
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let (subject, body, generation) = match &template {
        Some(t) => (
            render(&t.subject, &vars),
            render(&t.body, &vars),
            fixed(Generator::Template, 0.8),
        ),
        None => match llm_draft(
            app,
            &vars,
            &tone,
            cached
                .as_ref()
                .map(|r| r.raw_extract.as_str())
                .unwrap_or(""),
        )
        .await
        {
            Some(drafted) => drafted,
            None => (
                render(FALLBACK_SUBJECT, &vars),
                render(FALLBACK_BODY, &vars),
                fixed(Generator::Fallback, 0.5),
            ),
        },
    };
    let subject =
        single_line(&subject, 200).map_err(|e| AppError::Invalid(vec![e.within("subject")]))?;
    let now = app.clock.now();
    if let Some(item) = app.table.get(&keys::backlink_email(tenant, &b.id)).await? {
        let existing = entity::read::<BacklinkEmail>(item)?.email_id;
        let redrafted = modify(app, tenant, &existing, |e| {
            if e.status != EmailStatus::Draft {
                return Err(AppError::Conflict(format!(
                    "the email is {}; only drafts can be redrafted",
                    e.status.as_str()
                )));
            }
            e.subject = subject.clone();
            e.body = body.clone();
            e.template_id = template.as_ref().map(|t| t.id.clone());
            e.generation = generation.clone();
            e.user_edited = false;
            e.recipient_email = recipient.clone();
            e.recipient_name = b.recipient_name.clone();
            Ok(())
        })
        .await?;
        if let Some(t) = &template {
            templates::count(app, tenant, &t.id, "usageCount").await?;
        }
        return Ok(redrafted);
    }
    let email = OutreachEmail {
        id: EmailId::from_uuid(app.ids.next()),
        campaign_id: campaign_id.clone(),
        backlink_id: b.id.clone(),
        status: EmailStatus::Draft,
        subject,
        body,
        recipient_email: recipient,
        recipient_name: b.recipient_name.clone(),
        template_id: template.as_ref().map(|t| t.id.clone()),
        user_edited: false,
        generation,
        block_reasons: vec![],
        last_error: None,
        message_ids: vec![],
        follow_ups_sent: 0,
        next_follow_up_at: None,
        follow_up_pending: None,
        follow_up: None,
        not_before: None,
        replied_at: None,
        bounced_at: None,
        created_at: now,
        updated_at: now,
        approved_at: None,
        sent_at: None,
        version: 1,
    };
    let marker = BacklinkEmail {
        backlink_id: b.id.clone(),
        email_id: email.id.clone(),
    };
    let mut ops = vec![
        TransactOp::Put {
            item: entity::item(&email, tenant)?,
            condition: Some(Condition::NotExists),
        },
        TransactOp::Put {
            item: entity::item(&marker, tenant)?,
            condition: Some(Condition::NotExists),
        },
    ];
    let drafted = Update::new()
        .add(&Counter::TotalEmails.attr(), 1)
        .add(&Counter::Drafted.attr(), 1);
    ops.extend(totals::ops(tenant, &campaign_id, drafted));
    app.table.transact(ops).await.map_err(|e| match e {
        crate::ports::table::TableError::TransactionCancelled { .. } => {
            AppError::Conflict("an email for this backlink was just drafted".into())
        }
        other => other.into(),
    })?;
    if let Some(t) = &template {
        templates::count(app, tenant, &t.id, "usageCount").await?;
    }
    Ok(email)
}

fn fixed(generator: Generator, confidence: f64) -> Generation {
    Generation {
        generator,
        model: None,
        prompt: None,
        temperature: None,
        confidence,
        tokens: 0,
        cost_usd: 0.0,
        generation_time_ms: 0,
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &EmailFilter,
    page: PageRequest,
) -> Result<ListPage<OutreachEmail>, AppError> {
    let campaign = crate::app::campaigns::filter_id(filter.campaign_id.as_deref())?;
    let query = match (&campaign, filter.status) {
        (Some(c), _) => Query::new(Index::Gsi2, keys::email_by_campaign(tenant, c)),
        (None, Some(s)) => Query::new(Index::Gsi1, keys::email_by_status(tenant, s)),
        (None, None) => Query::new(Index::Table, crate::app::store::tenant_partition(tenant)).sort(
            crate::ports::table::SortCondition::BeginsWith(keys::EMAIL_PREFIX.into()),
        ),
    };
    paging::list(app.table.as_ref(), query.descending(), page, |item| {
        let e: OutreachEmail = from_item(item)?;
        let waiting = e.follow_up.as_ref().is_some_and(|d| d.awaits_review());
        let keep = filter.status.is_none_or(|s| e.status == s)
            && filter.follow_up_review.is_none_or(|w| w == waiting);
        Ok(keep.then_some(e))
    })
    .await
}

/// Editing marks the email user-edited; an approved email goes back to draft so the
/// changed text is approved again.
pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
    patch: EmailPatch,
) -> Result<OutreachEmail, AppError> {
    modify(app, tenant, id, |e| {
        if !matches!(
            e.status,
            EmailStatus::Draft | EmailStatus::Approved | EmailStatus::Blocked
        ) {
            return Err(AppError::Conflict(format!(
                "a {} email cannot be edited",
                e.status.as_str()
            )));
        }
        let mut errors = FieldErrors::default();
        if let Some(v) = &patch.subject
            && let Some(v) = errors.check("subject", single_line(v, 200))
        {
            e.subject = v;
        }
        if let Some(v) = &patch.body
            && let Some(v) = errors.check("body", multi_line(v, 10_000))
        {
            if v.is_empty() {
                errors.push("body", "must not be empty");
            }
            e.body = v;
        }
        if let Some(v) = &patch.recipient_name
            && let Some(v) = errors.check("recipientName", single_line(v, 200))
        {
            e.recipient_name = Some(v);
        }
        errors.into_result().map_err(AppError::Invalid)?;
        e.user_edited = true;
        if e.status == EmailStatus::Approved {
            e.status = EmailStatus::Draft;
            e.approved_at = None;
        }
        Ok(())
    })
    .await
}

pub async fn approve(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
) -> Result<OutreachEmail, AppError> {
    let now = app.clock.now();
    let email = modify(app, tenant, id, |e| {
        if !matches!(e.status, EmailStatus::Draft | EmailStatus::Blocked) {
            return Err(AppError::Conflict(format!(
                "a {} email cannot be approved",
                e.status.as_str()
            )));
        }
        e.status = EmailStatus::Approved;
        e.approved_at = Some(now);
        e.block_reasons.clear();
        Ok(())
    })
    .await?;
    stat(app, tenant, &email.campaign_id, Counter::Approved, 1).await?;
    Ok(email)
}

pub(crate) async fn stat(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
    counter: Counter,
    delta: i64,
) -> Result<(), AppError> {
    totals::add(
        app,
        tenant,
        campaign,
        Update::new().add(&counter.attr(), delta),
    )
    .await
}

pub async fn skip(app: &App, tenant: &TenantId, id: &EmailId) -> Result<OutreachEmail, AppError> {
    // The closure may run again on a version conflict; its last run tells.
    let was_under_review = AtomicBool::new(false);
    let email = modify(app, tenant, id, |e| {
        was_under_review.store(e.status == EmailStatus::NeedsReview, Ordering::Relaxed);
        if matches!(
            e.status,
            EmailStatus::Sent | EmailStatus::Skipped | EmailStatus::Queued
        ) {
            return Err(AppError::Conflict(format!(
                "a {} email cannot be skipped",
                e.status.as_str()
            )));
        }
        e.status = EmailStatus::Skipped;
        Ok(())
    })
    .await?;
    // Seed 000: totalEmails is decremented when a prospect is skipped.
    let skipped = Update::new()
        .add(&Counter::TotalEmails.attr(), -1)
        .add(&Counter::Skipped.attr(), 1)
        .add(
            &Counter::NeedsReview.attr(),
            -i64::from(was_under_review.load(Ordering::Relaxed)),
        );
    totals::add(app, tenant, &email.campaign_id, skipped).await?;
    sending::finish_review_if_done(app, tenant, &email.campaign_id).await?;
    Ok(email)
}

/// `sendEmail`: queues an approved email now, outside the send window; policy still applies.
pub async fn send_now(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
) -> Result<OutreachEmail, AppError> {
    let email = get(app, tenant, id).await?;
    let campaign = campaigns::get(app, tenant, &email.campaign_id).await?;
    if campaign.status != CampaignStatus::Active {
        return Err(AppError::Conflict(format!(
            "the campaign is {}; only an active campaign sends",
            campaign.status.as_str()
        )));
    }
    if email.status != EmailStatus::Approved {
        return Err(AppError::Conflict(format!(
            "only an approved email can be sent; this one is {}",
            email.status.as_str()
        )));
    }
    sending::release(app, tenant, &email).await
}

pub async fn request_review(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
) -> Result<Campaign, AppError> {
    campaigns::set_review(
        app,
        tenant,
        campaign,
        &[ReviewStatus::Draft],
        ReviewStatus::DmReview,
    )
    .await
}

/// Approves the campaign's review and every draft email in it at once.
pub async fn approve_review(
    app: &App,
    who: &Identity,
    campaign: &CampaignId,
) -> Result<Campaign, AppError> {
    let approved = campaigns::set_review(
        app,
        &who.tenant,
        campaign,
        &[ReviewStatus::DmReview],
        ReviewStatus::DmApproved,
    )
    .await?;
    let mut cursor = None;
    loop {
        let query = Query::new(Index::Gsi2, keys::email_by_campaign(&who.tenant, campaign))
            .limit(100)
            .start_after(cursor);
        let page = app.table.query(query).await?;
        for item in page.items {
            let e: OutreachEmail = from_item(item)?;
            if e.status == EmailStatus::Draft {
                match approve(app, &who.tenant, &e.id).await {
                    Ok(_) | Err(AppError::Conflict(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(approved),
        }
    }
}
