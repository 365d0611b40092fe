//! Link-building plans (seed 002): the strategy profile of each market, a site's pages and
//! their tiers, the quality score of a link opportunity, the monthly velocity curve, the
//! anchor texts of a page, and the generator that joins them into a plan. Pure rules; the
//! plans use cases store and serve them.
//! docs/decisions.md says where a rule is derived, not given.

pub mod anchor_plan;
pub mod anchors;
pub mod country;
pub mod explain;
pub mod generate;
pub mod import;
pub mod links;
pub mod plan;
pub mod progress;
pub mod quality;
pub mod schedule;
pub mod site;
pub mod sizing;
pub mod tiers;
pub mod velocity;

pub use anchor_plan::*;
pub use anchors::*;
pub use country::*;
pub use generate::*;
pub use links::*;
pub use plan::*;
pub use progress::*;
pub use quality::*;
pub use site::*;
pub use tiers::*;
pub use velocity::*;
