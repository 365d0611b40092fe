//! Replacement recommendations for a lost link (seed 002 §2.8 "auto-generate replacement
//! recommendations"): the plan's unfilled links nearest in time that can stand in for it,
//! each with why. The same month first (its budget already counts on a link), then later
//! months; within a month, a link to the same page, then the same tier, then the same anchor
//! type. The tenant's directory and competitor-gap opportunities are suggested beside these
//! (`app::monitoring::loss`).

use crate::domain::ids::PlannedLinkId;
use crate::domain::plans::{AnchorType, PlannedLink, PlannedLinkStatus, Tier};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Recommendations given for one loss.
pub const MAX_RECOMMENDATIONS: usize = 5;

/// What the lost link was: its month, page, tier and anchor type.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost<'a> {
    pub id: Option<&'a PlannedLinkId>,
    pub month: u32,
    pub target_url: &'a str,
    pub tier: Tier,
    pub anchor_type: AnchorType,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub planned_link_id: PlannedLinkId,
    pub month: u32,
    pub target_url: String,
    pub tier: Tier,
    pub anchor_type: AnchorType,
    pub anchor_text: String,
    /// Why it is recommended, most telling first.
    pub why: Vec<String>,
}

/// The unfilled links of the plan that could stand in for `lost`, best first.
pub fn recommend(lost: &Lost, links: &[PlannedLink]) -> Vec<Recommendation> {
    let mut candidates: Vec<(u32, u8, &PlannedLink)> = links
        .iter()
        .filter(|l| {
            l.status == PlannedLinkStatus::Planned
                && l.replaces.is_none()
                && l.month >= lost.month
                && Some(&l.id) != lost.id
        })
        .map(|l| {
            let likeness = 4 * u8::from(l.target_url.as_str() == lost.target_url)
                + 2 * u8::from(l.target_tier == lost.tier)
                + u8::from(l.anchor_type == lost.anchor_type);
            (l.month - lost.month, likeness, l)
        })
        .collect();
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    candidates
        .into_iter()
        .take(MAX_RECOMMENDATIONS)
        .map(|(later, _, l)| Recommendation {
            planned_link_id: l.id.clone(),
            month: l.month,
            target_url: l.target_url.to_string(),
            tier: l.target_tier,
            anchor_type: l.anchor_type,
            anchor_text: l.anchor_text.clone(),
            why: reasons(lost, l, later),
        })
        .collect()
}

fn reasons(lost: &Lost, l: &PlannedLink, later: u32) -> Vec<String> {
    let mut why = vec![match later {
        0 => format!("unfilled in month {}, the lost link's month", l.month),
        n => format!("unfilled in month {}, {n} after the lost link's", l.month),
    }];
    if l.target_url.as_str() == lost.target_url {
        why.push(format!("links to the same page, {}", lost.target_url));
    } else if l.target_tier == lost.tier {
        why.push(format!("links to a page of the same tier, {:?}", lost.tier));
    }
    if l.anchor_type == lost.anchor_type {
        why.push(format!(
            "keeps the anchor mix: the same anchor type, {}",
            lost.anchor_type.as_str()
        ));
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::PlanId;
    use crate::domain::plans::LinkTarget;
    use crate::domain::time::Timestamp;
    use crate::domain::web::WebUrl;

    fn link(n: u128, month: u32, url: &str, tier: Tier, anchor: AnchorType) -> PlannedLink {
        PlannedLink::planned(
            PlannedLinkId::from_uuid(uuid::Uuid::from_u128(n)),
            PlanId::from_uuid(uuid::Uuid::from_u128(99)),
            LinkTarget {
                month,
                url: WebUrl::parse(url).unwrap(),
                tier,
                anchor_text: format!("anchor {n}"),
                anchor_type: anchor,
            },
            Timestamp::from_epoch_seconds(1_780_000_000).unwrap(),
        )
    }

    #[test]
    fn the_same_month_comes_first_and_the_same_page_leads_within_it() {
        use AnchorType::*;
        let home = "https://client.example/";
        let lost_link = link(1, 3, home, Tier::T1, Branded);
        let mut taken = link(2, 3, home, Tier::T1, Branded);
        taken.status = PlannedLinkStatus::Ordered;
        let links = vec![
            lost_link.clone(),
            taken,
            link(3, 2, home, Tier::T1, Branded),
            link(4, 4, home, Tier::T1, Branded),
            link(5, 3, "https://client.example/guide", Tier::T5, Generic),
            link(6, 3, "https://client.example/pricing", Tier::T1, Branded),
            link(7, 3, home, Tier::T1, Generic),
        ];
        let lost = Lost {
            id: Some(&lost_link.id),
            month: 3,
            target_url: home,
            tier: Tier::T1,
            anchor_type: Branded,
        };
        let got = recommend(&lost, &links);
        let order: Vec<&PlannedLinkId> = got.iter().map(|r| &r.planned_link_id).collect();
        let id = |n: u128| {
            &links
                .iter()
                .find(|l| l.id == link(n, 1, home, Tier::T1, Branded).id)
                .unwrap()
                .id
        };
        // Month 3: the same page (7), the same tier and anchor (6), another tier (5); then
        // month 4. Month 2 is past; the ordered link and the lost one itself are not free.
        assert_eq!(order, vec![id(7), id(6), id(5), id(4)]);
        assert_eq!(
            got[0].why,
            vec![
                "unfilled in month 3, the lost link's month".to_string(),
                format!("links to the same page, {home}"),
            ]
        );
        assert_eq!(
            got[3].why[0],
            "unfilled in month 4, 1 after the lost link's"
        );
    }
}
