//! Monthly velocity curve (seed 002 §2.4 step 6, §2.8): how many new links each month of a
//! plan aims for, and the replacement reserve held beside them. The seed names the four
//! phases but gives no lengths or heights, so both are stated rules here (docs/decisions.md).

use super::country::{VELOCITY_PHASES, VelocityPhase};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One month of a plan's curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthTarget {
    /// 1-based: month 1 is the plan's first month.
    pub month: u32,
    pub phase: VelocityPhase,
    /// New links to place this month; the months' targets add up to the plan's links.
    pub links_target: u32,
    /// Replacements for dead links the month's budget holds room for, on top of the target:
    /// a replacement restores a lost link and adds no referring domain, so counting it in the
    /// target would leave the plan short of its links.
    pub replacement_reserve: u32,
}

/// Spreads `total_links` over `months` months (none for zero months).
///
/// Phase lengths: ramp and maintenance take 20% of the months each and peak 30%, rounded
/// half up; cruise takes the rest (about 30%). From four months on every phase lasts at least
/// one month; a shorter plan has one month per phase from ramp on and never reaches
/// maintenance. The long middle (peak and cruise, 60%) is where a campaign does its work;
/// a short ramp keeps the first months' velocity natural, and the maintenance tail is where
/// §2.7's tipping point would send it anyway.
///
/// Heights, as weights per month in units of `r + 1` for a ramp of `r` months: peak 4,
/// cruise 3, maintenance 1, and ramp month `i` 1 + 3i/(r + 1), a straight line from the
/// maintenance level up toward peak (about 2.5 on average). So the curve rises through ramp,
/// is highest in peak, lower in cruise and lowest in maintenance.
///
/// Each month gets its weight's share of the links rounded down; the few links left (fewer
/// than the months) go one each to the heaviest months, the earliest first. A heavier month
/// therefore never gets fewer links than a lighter one, whatever the total. All integer.
///
/// The reserve is 12.5% (one eighth) of the month's target, rounded half up: §2.8 asks for
/// 10-15% of the monthly budget, and one eighth of the target is 12.5% of the new links and
/// 11.1% of new links plus reserve, inside the band whichever of the two the budget means.
/// Rounding keeps it within half a link of 12.5%, so inside 10-15% from 20 links a month;
/// smaller months can fall outside (4 links reserve 1, 3 reserve none).
pub fn monthly_curve(total_links: u32, months: u32) -> Vec<MonthTarget> {
    let lengths = phase_lengths(months);
    let unit = u64::from(lengths[0]) + 1;
    let mut slots: Vec<(VelocityPhase, u64)> = Vec::new();
    for (phase, length) in VELOCITY_PHASES.into_iter().zip(lengths) {
        for i in 1..=u64::from(length) {
            let weight = match phase {
                VelocityPhase::Ramp => unit + 3 * i,
                VelocityPhase::Peak => 4 * unit,
                VelocityPhase::Cruise => 3 * unit,
                VelocityPhase::Maintenance => unit,
            };
            slots.push((phase, weight));
        }
    }
    let total_weight: u64 = slots.iter().map(|&(_, w)| w).sum();
    let total = u64::from(total_links);
    let mut links: Vec<u64> = slots
        .iter()
        .map(|&(_, w)| total * w / total_weight.max(1))
        .collect();
    let left = total - links.iter().sum::<u64>();
    let mut heaviest: Vec<usize> = (0..slots.len()).collect();
    heaviest.sort_by(|&a, &b| slots[b].1.cmp(&slots[a].1).then(a.cmp(&b)));
    for &i in heaviest.iter().take(left as usize) {
        links[i] += 1;
    }
    slots
        .into_iter()
        .zip(links)
        .zip(1..)
        .map(|(((phase, _), links), month)| {
            // Each month's share is at most the total, which is a u32.
            let links_target = links as u32;
            MonthTarget {
                month,
                phase,
                links_target,
                replacement_reserve: (links_target + 4) / 8,
            }
        })
        .collect()
}

/// Months of ramp, peak, cruise and maintenance; they add up to `months`.
fn phase_lengths(months: u32) -> [u32; 4] {
    if months < 4 {
        let one = |phase: u32| u32::from(phase < months);
        return [one(0), one(1), one(2), 0];
    }
    // 20% and 30% of the months, rounded half up.
    let ramp = (2 * months + 5) / 10;
    let peak = (3 * months + 5) / 10;
    [ramp, peak, months - 2 * ramp - peak, ramp]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::CountryCode;

    const TOTALS: [u32; 7] = [0, 1, 7, 37, 100, 245, 1_000];

    fn phases(curve: &[MonthTarget]) -> Vec<VelocityPhase> {
        let mut seen: Vec<VelocityPhase> = curve.iter().map(|m| m.phase).collect();
        seen.dedup();
        seen
    }

    #[test]
    fn targets_add_up_to_the_total_in_every_market() {
        for months in [8, 12, 14, 18] {
            for total in TOTALS {
                let curve = monthly_curve(total, months);
                assert_eq!(curve.len(), months as usize);
                let sum: u32 = curve.iter().map(|m| m.links_target).sum();
                assert_eq!(sum, total, "{total} links over {months} months");
                let numbers: Vec<u32> = curve.iter().map(|m| m.month).collect();
                assert_eq!(numbers, (1..=months).collect::<Vec<_>>());
            }
        }
        let timelines = CountryCode::ALL.map(|c| c.profile().timeline_months);
        assert_eq!(timelines, [8, 12, 14, 18]);
    }

    #[test]
    fn the_four_phases_come_in_order_from_four_months() {
        for months in 4..=60 {
            let curve = monthly_curve(100, months);
            assert_eq!(phases(&curve), VELOCITY_PHASES, "{months} months");
        }
        let lengths = [8, 12, 14, 18].map(phase_lengths);
        assert_eq!(
            lengths,
            [[2, 2, 2, 2], [2, 4, 4, 2], [3, 4, 4, 3], [4, 5, 5, 4]]
        );
    }

    #[test]
    fn a_short_plan_stops_before_maintenance() {
        assert!(monthly_curve(10, 0).is_empty());
        let curve = monthly_curve(10, 1);
        assert_eq!(phases(&curve), [VelocityPhase::Ramp]);
        assert_eq!(curve[0].links_target, 10);
        let curve = monthly_curve(10, 3);
        assert_eq!(phases(&curve), VELOCITY_PHASES[..3]);
        assert_eq!(curve.iter().map(|m| m.links_target).sum::<u32>(), 10);
    }

    #[test]
    fn the_curve_rises_peaks_and_falls_to_maintenance() {
        for months in [8, 12, 14, 18] {
            let curve = monthly_curve(1_000, months);
            let of = |phase| -> Vec<u32> {
                curve
                    .iter()
                    .filter(|m| m.phase == phase)
                    .map(|m| m.links_target)
                    .collect()
            };
            let (ramp, peak) = (of(VelocityPhase::Ramp), of(VelocityPhase::Peak));
            let (cruise, low) = (of(VelocityPhase::Cruise), of(VelocityPhase::Maintenance));
            assert!(ramp.windows(2).all(|w| w[0] < w[1]), "{months}: {ramp:?}");
            let peak_low = *peak.iter().min().unwrap();
            assert!(
                ramp.iter().chain(&cruise).all(|&n| n < peak_low),
                "{months}"
            );
            let cruise_low = *cruise.iter().min().unwrap();
            let floor = *low.iter().max().unwrap();
            assert!(
                floor < cruise_low && ramp.iter().all(|&n| floor < n),
                "{months}"
            );
        }
    }

    #[test]
    fn a_heavier_month_never_gets_fewer_links() {
        for months in [4, 8, 12, 14, 18] {
            for total in TOTALS.into_iter().chain([3, 11, 19, 50]) {
                let curve = monthly_curve(total, months);
                let peak = curve.iter().find(|m| m.phase == VelocityPhase::Peak);
                let peak = peak.unwrap().links_target;
                for m in &curve {
                    assert!(m.links_target <= peak, "{total}/{months}: {m:?}");
                    if m.phase == VelocityPhase::Maintenance {
                        let others = curve.iter().filter(|o| o.phase != m.phase);
                        let lowest = others.clone().all(|o| m.links_target <= o.links_target);
                        assert!(lowest, "{total}/{months}: {curve:?}");
                    }
                }
            }
        }
        // 7 links over 8 months: the spare links go to the peak months first.
        let curve = monthly_curve(7, 8);
        let got: Vec<u32> = curve.iter().map(|m| m.links_target).collect();
        assert_eq!(got, [0, 1, 2, 2, 1, 1, 0, 0]);
    }

    #[test]
    fn the_reserve_is_an_eighth_of_the_month() {
        for months in [8, 12, 14, 18] {
            for total in TOTALS.into_iter().chain([5_000]) {
                for m in monthly_curve(total, months) {
                    let (links, reserve) = (m.links_target, m.replacement_reserve);
                    assert!((8 * reserve).abs_diff(links) <= 4, "{m:?}");
                    if links >= 20 {
                        let pct = f64::from(reserve) * 100.0 / f64::from(links);
                        assert!((10.0..=15.0).contains(&pct), "{m:?}");
                    }
                }
            }
        }
        // 1,000 links over 12 months: months of equal weight differ by one link at most.
        let curve = monthly_curve(1_000, 12);
        let got: Vec<(u32, u32)> = curve
            .iter()
            .map(|m| (m.links_target, m.replacement_reserve))
            .collect();
        #[rustfmt::skip]
        let expected = [(57, 7), (86, 11), (115, 14), (115, 14), (115, 14), (115, 14),
            (86, 11), (85, 11), (85, 11), (85, 11), (28, 4), (28, 4)];
        assert_eq!(got, expected);
    }

    #[test]
    fn a_month_serializes_in_camel_case() {
        let json = serde_json::to_value(monthly_curve(100, 8)[0]).unwrap();
        assert_eq!(json["month"], 1);
        assert_eq!(json["phase"], "ramp");
        assert!(json["linksTarget"].is_u64() && json["replacementReserve"].is_u64());
    }
}
