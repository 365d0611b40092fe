//! New identifiers. UUIDv7 so that ids sort in creation order.

use uuid::Uuid;

pub trait Ids: Send + Sync {
    fn next(&self) -> Uuid;
}

pub struct V7Ids;

impl Ids for V7Ids {
    fn next(&self) -> Uuid {
        Uuid::now_v7()
    }
}
