//! Traits the application needs from the outside world. Adapters implement them.

pub mod blobs;
pub mod clock;
pub mod events;
pub mod fetcher;
pub mod ids;
pub mod index;
pub mod keys;
pub mod llm;
pub mod mailer;
pub mod queue;
pub mod search;
pub mod table;
pub mod webhook;

pub use blobs::{BlobError, BlobStore};
pub use clock::{Clock, ManualClock, SystemClock};
pub use events::{DomainEvent, EventBus, EventError, EventLog, MemoryEventLog};
pub use fetcher::{FetchError, Fetched, Fetcher};
pub use ids::{Ids, V7Ids};
pub use index::{IndexAnswer, IndexChecker, IndexError};
pub use keys::{KeySource, KeysUnavailable};
pub use llm::{Llm, LlmError, LlmRequest, LlmResponse};
pub use mailer::{Envelope, MailError, Mailer, Transport};
pub use queue::{Outgoing, Queue, QueueError, QueueMessage, QueueStats};
pub use search::{Search, SearchError, SearchHit};
pub use table::Table;
pub use webhook::{PostError, WebhookPoster, WebhookRequest, WebhookResponse};
