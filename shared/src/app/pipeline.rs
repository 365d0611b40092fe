//! The crawl and qualify stages of a job. Each handles one result per message and is
//! idempotent: a redelivered message finds its result already moved on and does nothing.

use super::crawl::{self, cached, homepage_of};
use super::jobs::{self, QUALIFY_QUEUE, StageMessage, UrlOutcome};
use super::{App, AppError, backlinks, enqueue, settings};
use crate::domain::backlink::{Backlink, ProspectType, SourceType};
use crate::domain::crawl::CrawlRecord;
use crate::domain::ids::{BacklinkId, TenantId};
use crate::domain::job::{
    ContactSummary, Job, JobResult, JobStatus, Layer, LayerStatus, ResultState,
};
use crate::domain::qualify::{
    Classification, ClassificationSettings, ConfidenceBand, Layer1Factors, Layer2Factors,
    Layer3Factors, LlmVerdict, confidence, heuristic_layer3, layer1, layer2,
};
use crate::domain::text::trim_excerpt;
use crate::domain::web::{DomainName, WebUrl};
use crate::ports::llm::LlmRequest;
use std::time::Instant;

/// Attempts at classifying one URL before it is recorded as failed.
pub const MAX_RETRIES: u32 = 3;

/// The job and result a message is about, if there is still work to do.
async fn load(
    app: &App,
    m: &StageMessage,
    expect: ResultState,
) -> Result<Option<(Job, JobResult)>, AppError> {
    let Some(result_id) = &m.result_id else {
        return Err(AppError::invalid(
            "message",
            "a stage message needs a resultId",
        ));
    };
    let job = match jobs::get(app, &m.tenant_id, &m.job_id).await {
        Ok(job) => job,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(result) = jobs::get_result(app, &m.tenant_id, &m.job_id, result_id).await? else {
        return Ok(None);
    };
    if result.state != expect {
        return Ok(None);
    }
    match job.status {
        JobStatus::Processing => Ok(Some((job, result))),
        JobStatus::Cancelled => {
            let mut cancelled = result.clone();
            cancelled.state = ResultState::Cancelled;
            cancelled.version += 1;
            jobs::save(app, &m.tenant_id, result.version, &cancelled).await?;
            Ok(None)
        }
        // Paused (or not started): the result waits; resume queues it again.
        _ => Ok(None),
    }
}

fn contact_of(record: &CrawlRecord) -> ContactSummary {
    ContactSummary {
        page_url: record.contact_page_url.clone(),
        emails: record.emails.clone(),
        name: record.recipient_name.clone(),
        reachable: record.is_reachable,
        has_captcha: record.has_captcha,
        is_blocked: record.is_blocked,
    }
}

fn elapsed(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// Layer 1's factors of a result past the crawl stage; a stored result without them is corrupt.
fn layer1_of(result: &JobResult) -> Result<&Layer1Factors, AppError> {
    result
        .layer1_factors
        .as_ref()
        .ok_or_else(|| AppError::internal(format!("result {} has no layer 1 factors", result.id)))
}

fn finish_rejected(
    result: &mut JobResult,
    layer: Layer,
    now: crate::domain::time::Timestamp,
    settings: &ClassificationSettings,
) -> Result<(), AppError> {
    let score = confidence(
        layer1_of(result)?,
        result.layer2_factors.as_ref(),
        result.layer3_factors.as_ref(),
    );
    result.state = ResultState::Done;
    result.current_layer = Some(layer);
    result.classification = Some(Classification::Rejected);
    result.confidence_score = Some(score);
    result.confidence_band = Some(ConfidenceBand::of(score, &settings.layer3_rules));
    result.processed_at = Some(now);
    result.version += 1;
    Ok(())
}

/// The crawl stage: layer 1 on the URL, then the crawl (from the shared cache when fresh).
pub async fn crawl_stage(app: &App, m: &StageMessage) -> Result<(), AppError> {
    let Some((_, before)) = load(app, m, ResultState::Queued).await? else {
        return Ok(());
    };
    let settings = settings::cached(app, &m.tenant_id).await?;
    let mut result = before.clone();
    let url =
        WebUrl::parse(&result.url).map_err(|e| AppError::internal(format!("stored URL: {e}")))?;
    let started = Instant::now();
    let l1: Layer1Factors = layer1(url.as_url(), &settings.layer1_rules);
    result.layer1_processing_time_ms = Some(elapsed(started));
    result.layer1_status = Some(if l1.passed {
        LayerStatus::Pass
    } else {
        LayerStatus::Reject
    });
    let passed = l1.passed;
    result.layer1_factors = Some(l1);
    if !passed {
        finish_rejected(&mut result, Layer::Layer1, app.clock.now(), &settings)?;
        jobs::finish(
            app,
            &m.tenant_id,
            before.version,
            &result,
            UrlOutcome::Rejected,
        )
        .await?;
        return Ok(());
    }
    let domain = DomainName::parse(&result.domain)
        .map_err(|e| AppError::internal(format!("stored domain: {e}")))?;
    let record = crawl::crawl(app, &domain, &homepage_of(&domain)).await?;
    result.contact = Some(contact_of(&record));
    result.current_layer = Some(Layer::Layer2);
    result.state = ResultState::Crawled;
    result.version += 1;
    if jobs::save(app, &m.tenant_id, before.version, &result).await? {
        let next = StageMessage {
            tenant_id: m.tenant_id.clone(),
            job_id: m.job_id.clone(),
            result_id: Some(result.id),
        };
        enqueue::send(app, QUALIFY_QUEUE, &[next]).await?;
    }
    Ok(())
}

fn prompt(template: &str, record: &CrawlRecord, url: &str) -> String {
    let signals = serde_json::to_string(&record.signals).unwrap_or_default();
    template
        .replace("{domain}", record.domain.as_str())
        .replace("{url}", url)
        .replace("{title}", &record.signals.title)
        .replace("{description}", &record.signals.description)
        .replace("{signals}", &signals)
        .replace("{excerpt}", &trim_excerpt(&record.raw_extract, 3_000))
}

/// Layer 3 by the LLM, or the heuristic when none is configured. An unusable answer is an
/// error, retried by the queue up to [`MAX_RETRIES`] times.
async fn layer3(
    app: &App,
    settings: &ClassificationSettings,
    record: &CrawlRecord,
    l2: &Layer2Factors,
    url: &str,
) -> Result<Layer3Factors, String> {
    let Some(llm) = &app.llm else {
        return Ok(heuristic_layer3(record, l2));
    };
    let rules = &settings.layer3_rules;
    let started = Instant::now();
    let request = LlmRequest {
        model: rules.model.clone(),
        system: rules.prompts.classification_system.clone(),
        user: prompt(&rules.prompts.classification_user, record, url),
        temperature: 0.0,
        max_tokens: 600,
        json: true,
    };
    let response = llm.complete(request).await.map_err(|e| e.to_string())?;
    let verdict = LlmVerdict::parse(&response.content)?;
    Ok(Layer3Factors::from_llm(
        verdict,
        llm.provider(),
        &response.model,
        response.prompt_tokens + response.completion_tokens,
        response.cost_usd,
        elapsed(started),
    ))
}

/// The qualify stage: layers 2 and 3, the confidence band, and for a passing prospect of a
/// campaign job, the outreach backlink.
pub async fn qualify_stage(app: &App, m: &StageMessage) -> Result<(), AppError> {
    let Some((job, before)) = load(app, m, ResultState::Crawled).await? else {
        return Ok(());
    };
    let tenant = &m.tenant_id;
    let settings = settings::cached(app, tenant).await?;
    let mut result = before.clone();
    let domain = DomainName::parse(&result.domain)
        .map_err(|e| AppError::internal(format!("stored domain: {e}")))?;
    let record = match cached(app, &domain).await? {
        Some(r) => r,
        None => crawl::crawl(app, &domain, &homepage_of(&domain)).await?,
    };
    let now = app.clock.now();
    let started = Instant::now();
    let l2 = layer2(&record, now.datetime().date_naive(), &settings.layer2_rules);
    result.layer2_processing_time_ms = Some(elapsed(started));
    result.layer2_status = Some(if l2.passed {
        LayerStatus::Pass
    } else {
        LayerStatus::Reject
    });
    let l2_passed = l2.passed;
    result.layer2_factors = Some(l2.clone());
    if !l2_passed {
        finish_rejected(&mut result, Layer::Layer2, now, &settings)?;
        total_time(&mut result);
        jobs::finish(app, tenant, before.version, &result, UrlOutcome::Rejected).await?;
        return Ok(());
    }
    let started = Instant::now();
    let l3 = match layer3(app, &settings, &record, &l2, &result.url).await {
        Ok(l3) => l3,
        Err(error) => return retry_or_fail(app, tenant, &before, error).await,
    };
    result.layer3_processing_time_ms = Some(elapsed(started));
    result.layer3_total_cost = Some(l3.cost_usd);
    result.layer3_classification = Some(l3.classification);
    let score = confidence(layer1_of(&result)?, Some(&l2), Some(&l3));
    let band = ConfidenceBand::of(score, &settings.layer3_rules);
    let passes = l3.classification == Classification::Approved && band.passes();
    result.current_layer = Some(Layer::Layer3);
    result.confidence_score = Some(score);
    result.confidence_band = Some(band);
    result.classification = Some(if passes {
        Classification::Approved
    } else {
        Classification::Rejected
    });
    if passes && let Some(campaign) = &job.campaign_id {
        result.backlink_id = prospect(
            app, tenant, campaign, &domain, &record, &result, &l2, &l3, score,
        )
        .await?;
    }
    result.layer3_factors = Some(l3);
    result.state = ResultState::Done;
    result.processed_at = Some(now);
    result.version += 1;
    total_time(&mut result);
    let outcome = if passes {
        UrlOutcome::Passed
    } else {
        UrlOutcome::Rejected
    };
    jobs::finish(app, tenant, before.version, &result, outcome).await?;
    Ok(())
}

fn total_time(result: &mut JobResult) {
    result.total_processing_time_ms = Some(
        [
            result.layer1_processing_time_ms,
            result.layer2_processing_time_ms,
            result.layer3_processing_time_ms,
        ]
        .iter()
        .flatten()
        .sum(),
    );
}

async fn retry_or_fail(
    app: &App,
    tenant: &TenantId,
    before: &JobResult,
    error: String,
) -> Result<(), AppError> {
    let mut result = before.clone();
    result.retry_count += 1;
    result.last_error = Some(error.clone());
    result.version += 1;
    if result.retry_count >= MAX_RETRIES {
        result.state = ResultState::Failed;
        result.current_layer = Some(Layer::Layer3);
        result.processed_at = Some(app.clock.now());
        jobs::finish(app, tenant, before.version, &result, UrlOutcome::Failed).await?;
        return Ok(());
    }
    jobs::save(app, tenant, before.version, &result).await?;
    Err(AppError::Unavailable(format!(
        "classification failed (attempt {}): {error}",
        result.retry_count
    )))
}

/// Creates the outreach backlink for a passing prospect, unless its domain is already in
/// the campaign.
#[allow(clippy::too_many_arguments)]
async fn prospect(
    app: &App,
    tenant: &TenantId,
    campaign: &crate::domain::ids::CampaignId,
    domain: &DomainName,
    record: &CrawlRecord,
    result: &JobResult,
    l2: &Layer2Factors,
    l3: &Layer3Factors,
    score: f64,
) -> Result<Option<BacklinkId>, AppError> {
    // A redelivered message may already have created it.
    let id = BacklinkId::of_result(&result.id);
    match backlinks::get(app, tenant, &id).await {
        Ok(existing) => return Ok(Some(existing.id)),
        Err(AppError::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    let mut b = Backlink::new(id, SourceType::Outreach, domain.clone(), app.clock.now());
    b.campaign_id = Some(campaign.clone());
    // The page the job was about stands for the site; the contact page is where the
    // address was found. Neither carries the link: that page is agreed later.
    b.source_url = WebUrl::parse(&result.url).ok();
    b.contact_url = record
        .contact_page_url
        .as_deref()
        .and_then(|u| WebUrl::parse(u).ok());
    b.relevance_score = Some(((score * 10.0).round() as u8).clamp(1, 10));
    b.prospect_type = Some(if !l2.keywords_found.is_empty() {
        ProspectType::GuestPost
    } else if result
        .layer1_factors
        .as_ref()
        .is_some_and(|f| f.domain_category == "resource_page")
    {
        ProspectType::ResourcePage
    } else {
        ProspectType::Mention
    });
    b.pitch_rationale = Some(trim_excerpt(&l3.classification_reasoning, 2_000));
    b.recipient_email = record.recipient_email.clone();
    b.recipient_name = record.recipient_name.clone();
    b.activity_id = Some(result.job_id.to_string());
    match backlinks::insert(app, tenant, &b).await {
        Ok(()) => Ok(Some(b.id)),
        Err(AppError::Conflict(reason)) => {
            tracing::info!(%domain, %reason, "prospect not added");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
