//! Link monitoring (issue 15): checking a link the way a search engine sees it
//! (`inspect`), keeping each check and each confirmed change (`records`), and applying a
//! check to a backlink (`backlinks`) or a plan's planned link (`planned`). The judgement itself is `domain::monitoring`.

pub mod backlinks;
pub mod cache;
pub mod indexed;
pub mod inspect;
pub mod loss;
pub mod planned;
pub mod reclaim;
pub mod records;
pub mod sweep;
