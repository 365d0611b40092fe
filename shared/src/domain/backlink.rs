//! The unified Backlink entity of seed 000: one row per link a tenant wants or has, whether
//! it comes from outreach, a directory or a competitor gap, each with its own lifecycle.

use super::email::EmailAddress;
use super::ids::{BacklinkId, CampaignId, DirectoryId, PlanId, PlannedLinkId};
use super::time::Timestamp;
use super::web::{DomainName, WebUrl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    #[default]
    Outreach,
    DirectoryOpportunity,
    CompetitorGap,
}

impl SourceType {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Outreach => "outreach",
            Self::DirectoryOpportunity => "directory_opportunity",
            Self::CompetitorGap => "competitor_gap",
        }
    }

    /// The status every new backlink of this type starts in.
    pub fn initial_status(&self) -> OutreachStatus {
        match self {
            Self::Outreach => OutreachStatus::Prospecting,
            Self::DirectoryOpportunity | Self::CompetitorGap => OutreachStatus::Opportunity,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutreachStatus {
    // outreach
    Prospecting,
    OutreachSent,
    Responded,
    Agreed,
    Published,
    Rejected,
    NoResponse,
    // directory_opportunity and competitor_gap
    Opportunity,
    InProgress,
    Completed,
    NotApplicable,
}

impl OutreachStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Prospecting => "prospecting",
            Self::OutreachSent => "outreach_sent",
            Self::Responded => "responded",
            Self::Agreed => "agreed",
            Self::Published => "published",
            Self::Rejected => "rejected",
            Self::NoResponse => "no_response",
            Self::Opportunity => "opportunity",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::NotApplicable => "not_applicable",
        }
    }

    /// Whether a link is expected to exist on the source page, so the health check looks.
    pub fn link_expected(&self) -> bool {
        matches!(self, Self::Published | Self::Completed)
    }

    /// Whether the health check looks at the placement page: where the link should be, and
    /// where it was agreed, so that a link that goes live publishes its backlink.
    pub fn link_checked(&self) -> bool {
        self.link_expected() || *self == Self::Agreed
    }
}

/// The allowed moves of the seed's lifecycles. Outreach: prospecting → outreach_sent →
/// responded → agreed → published, with rejected and no_response as exits (a late reply
/// revives no_response, and so does writing to the site again: no_response → outreach_sent). Opportunities: opportunity → in_progress → completed |
/// not_applicable.
pub fn can_transition(source: SourceType, from: OutreachStatus, to: OutreachStatus) -> bool {
    use OutreachStatus::*;
    match source {
        SourceType::Outreach => matches!(
            (from, to),
            (Prospecting, OutreachSent | Rejected)
                | (
                    OutreachSent,
                    Responded | Agreed | Published | Rejected | NoResponse
                )
                | (Responded, Agreed | Published | Rejected | NoResponse)
                | (Agreed, Published | Rejected)
                | (
                    NoResponse,
                    OutreachSent | Responded | Agreed | Published | Rejected
                )
        ),
        SourceType::DirectoryOpportunity | SourceType::CompetitorGap => matches!(
            (from, to),
            (Opportunity, InProgress | NotApplicable)
                | (InProgress, Completed | NotApplicable | Opportunity)
        ),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {source_type} backlink cannot move from {from} to {to}")]
pub struct IllegalBacklinkTransition {
    pub source_type: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    #[default]
    Dofollow,
    Nofollow,
    Ugc,
    Sponsored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProspectType {
    ResourcePage,
    GuestPost,
    BrokenLink,
    CompetitorBacklink,
    Mention,
}

/// One step of a directory submission, copied onto the backlink so it stands alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryStep {
    pub order: u32,
    pub title: String,
    pub description: String,
    pub url: Option<WebUrl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Backlink {
    pub id: BacklinkId,
    pub source_type: SourceType,
    /// Set for directory_opportunity rows.
    pub directory_id: Option<DirectoryId>,
    /// Copied from the directory at creation.
    pub steps: Option<Vec<DirectoryStep>>,
    /// The `order` of each step done, ascending.
    #[serde(default)]
    pub steps_completed: Vec<u32>,
    /// Domain of the linking site.
    pub source_domain: DomainName,
    /// A page on the linking site that stands for it: the prospect's page for outreach, the
    /// listing for a directory.
    pub source_url: Option<WebUrl>,
    /// Where on the linking site the contact was found (the crawl's contact page).
    #[serde(default)]
    pub contact_url: Option<WebUrl>,
    /// The page that carries (or will carry) the link: set by an agreed reply or by a person,
    /// and what the link health check fetches.
    #[serde(default)]
    pub placement_url: Option<WebUrl>,
    /// The client page being linked to.
    pub target_url: Option<WebUrl>,
    pub anchor_text: Option<String>,
    /// 0-100.
    pub domain_rating: Option<u8>,
    pub link_type: LinkType,
    /// Outreach only.
    pub prospect_type: Option<ProspectType>,
    /// 1-10.
    pub relevance_score: Option<u8>,
    /// Outreach only.
    pub pitch_rationale: Option<String>,
    /// Who to write to (outreach only): from the crawl cache, or set by a person.
    pub recipient_email: Option<EmailAddress>,
    pub recipient_name: Option<String>,
    /// The prospect's country (ISO 3166 alpha-2); decides the legal basis before the
    /// address's ccTLD does.
    #[serde(default)]
    pub country: Option<String>,
    /// How consent to be contacted was obtained; required to email consent regions.
    #[serde(default)]
    pub consent_evidence: Option<String>,
    pub outreach_status: OutreachStatus,
    pub outreach_sent_at: Option<Timestamp>,
    pub responded_at: Option<Timestamp>,
    pub agreed_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// None until the health check has looked; then whether the link is there (live or
    /// degraded), as `linkHealth` confirms it.
    pub is_live: Option<bool>,
    /// The link's confirmed health, its reasons and a verdict waiting for confirmation.
    #[serde(default)]
    pub link_health: Option<crate::domain::monitoring::health::LinkHealth>,
    pub is_indexed: Option<bool>,
    pub last_checked_at: Option<Timestamp>,
    pub activity_id: Option<String>,
    /// Outreach only; cleared when the campaign is deleted.
    pub campaign_id: Option<CampaignId>,
    /// Competitor domains already linked from this source (competitor_gap only).
    pub gap_competitors: Vec<DomainName>,
    /// The plan link this backlink is winning, when its campaign follows a plan: its target
    /// and anchor came from it, and its link going live makes the planned link live.
    #[serde(default)]
    pub plan_id: Option<PlanId>,
    #[serde(default)]
    pub planned_link_id: Option<PlannedLinkId>,
    pub notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl Backlink {
    /// A new backlink in its source type's first status, with nothing else known yet.
    pub fn new(
        id: BacklinkId,
        source_type: SourceType,
        source_domain: DomainName,
        now: Timestamp,
    ) -> Self {
        Backlink {
            id,
            source_type,
            directory_id: None,
            steps: None,
            steps_completed: Vec::new(),
            source_domain,
            source_url: None,
            contact_url: None,
            placement_url: None,
            target_url: None,
            anchor_text: None,
            domain_rating: None,
            link_type: LinkType::default(),
            prospect_type: None,
            relevance_score: None,
            pitch_rationale: None,
            recipient_email: None,
            recipient_name: None,
            country: None,
            consent_evidence: None,
            outreach_status: source_type.initial_status(),
            outreach_sent_at: None,
            responded_at: None,
            agreed_at: None,
            published_at: None,
            completed_at: None,
            is_live: None,
            is_indexed: None,
            last_checked_at: None,
            activity_id: None,
            campaign_id: None,
            gap_competitors: vec![],
            plan_id: None,
            planned_link_id: None,
            link_health: None,
            notes: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Moves to `to` if the lifecycle allows it, stamping the matching timestamp.
    pub fn transition(
        &mut self,
        to: OutreachStatus,
        now: Timestamp,
    ) -> Result<(), IllegalBacklinkTransition> {
        if to == self.outreach_status {
            return Ok(());
        }
        if !can_transition(self.source_type, self.outreach_status, to) {
            return Err(IllegalBacklinkTransition {
                source_type: self.source_type.as_str(),
                from: self.outreach_status.as_str(),
                to: to.as_str(),
            });
        }
        let stamp = match to {
            OutreachStatus::OutreachSent => Some(&mut self.outreach_sent_at),
            OutreachStatus::Responded => Some(&mut self.responded_at),
            OutreachStatus::Agreed => Some(&mut self.agreed_at),
            OutreachStatus::Published => Some(&mut self.published_at),
            OutreachStatus::Completed => Some(&mut self.completed_at),
            _ => None,
        };
        if let Some(slot) = stamp {
            *slot = Some(now);
        }
        // A published link was agreed to, even when nobody recorded the agreement first.
        if to == OutreachStatus::Published && self.agreed_at.is_none() {
            self.agreed_at = Some(now);
        }
        self.outreach_status = to;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn backlink(source_type: SourceType) -> Backlink {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        Backlink::new(
            BacklinkId::from_uuid(Uuid::now_v7()),
            source_type,
            DomainName::parse("blog.example").unwrap(),
            now,
        )
    }

    #[test]
    fn outreach_walks_its_lifecycle_stamping_each_step() {
        let mut b = backlink(SourceType::Outreach);
        let t = Timestamp::parse("2026-02-01T00:00:00Z").unwrap();
        for to in [
            OutreachStatus::OutreachSent,
            OutreachStatus::Responded,
            OutreachStatus::Agreed,
            OutreachStatus::Published,
        ] {
            b.transition(to, t).unwrap();
        }
        assert_eq!(b.outreach_sent_at, Some(t));
        assert_eq!(b.responded_at, Some(t));
        assert_eq!(b.agreed_at, Some(t));
        assert_eq!(b.published_at, Some(t));
        assert!(b.outreach_status.link_expected());
    }

    #[test]
    fn publishing_without_a_recorded_agreement_stamps_both() {
        let mut b = backlink(SourceType::Outreach);
        let t = Timestamp::parse("2026-02-01T00:00:00Z").unwrap();
        b.transition(OutreachStatus::OutreachSent, t).unwrap();
        b.transition(OutreachStatus::Published, t).unwrap();
        assert_eq!((b.agreed_at, b.published_at), (Some(t), Some(t)));
    }

    #[test]
    fn each_source_type_only_uses_its_own_statuses() {
        let t = Timestamp::parse("2026-02-01T00:00:00Z").unwrap();
        let mut b = backlink(SourceType::Outreach);
        let err = b.transition(OutreachStatus::Completed, t).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a outreach backlink cannot move from prospecting to completed"
        );
        assert!(b.transition(OutreachStatus::Published, t).is_err());

        let mut d = backlink(SourceType::DirectoryOpportunity);
        assert_eq!(d.outreach_status, OutreachStatus::Opportunity);
        assert!(d.transition(OutreachStatus::OutreachSent, t).is_err());
        d.transition(OutreachStatus::InProgress, t).unwrap();
        d.transition(OutreachStatus::Completed, t).unwrap();
        assert_eq!(d.completed_at, Some(t));
        assert!(d.transition(OutreachStatus::InProgress, t).is_err());
    }

    #[test]
    fn terminal_outreach_states_stay_terminal() {
        use OutreachStatus::*;
        for to in [Prospecting, OutreachSent, Responded, Agreed, NoResponse] {
            assert!(!can_transition(SourceType::Outreach, Published, to));
            assert!(!can_transition(SourceType::Outreach, Rejected, to));
        }
        assert!(can_transition(SourceType::Outreach, NoResponse, Responded));
        assert!(can_transition(
            SourceType::Outreach,
            NoResponse,
            OutreachSent
        ));
    }
}
