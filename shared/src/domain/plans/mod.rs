//! Link-building plans (seed 002): the strategy profile of each market, the tier of each page
//! of a site, the quality score of a link opportunity, the monthly velocity curve and the
//! anchor texts of a page. Pure rules; the plan generator and its storage build on them.
//! docs/decisions.md says where a rule is derived, not given.

pub mod anchor_plan;
pub mod anchors;
pub mod country;
pub mod quality;
pub mod tiers;
pub mod velocity;

pub use anchor_plan::*;
pub use anchors::*;
pub use country::*;
pub use quality::*;
pub use tiers::*;
pub use velocity::*;
