//! Adapters built on first use. A function's start parses its configuration (so a bad
//! variable fails there, by name) but builds no client: the first call through a port
//! builds its adapter, and a function that never calls it never pays for it. This needs no
//! list of what each route or job uses, so none can go stale.

use crate::ports::blobs::{BlobError, BlobStore};
use crate::ports::events::{DomainEvent, EventBus, EventError};
use crate::ports::fetcher::{FetchError, Fetched, Fetcher};
use crate::ports::keys::{KeySource, KeysUnavailable};
use crate::ports::llm::{Llm, LlmError, LlmRequest, LlmResponse};
use crate::ports::mailer::{Envelope, MailError, Mailer, Transport};
use crate::ports::queue::{Outgoing, Queue, QueueError, QueueMessage, QueueStats};
use crate::ports::search::{Search, SearchError, SearchHit};
use crate::ports::table::{
    Condition, Item, Key, Page, Query, Table, TableError, TransactOp, Update, WriteOp,
};
use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use std::sync::LazyLock;
use std::time::Duration;
use url::Url;

/// An adapter built by `make` on first use.
pub struct Lazy<T>(LazyLock<T, Box<dyn FnOnce() -> T + Send>>);

impl<T> Lazy<T> {
    pub fn new(make: impl FnOnce() -> T + Send + 'static) -> Self {
        Self(LazyLock::new(Box::new(make)))
    }

    fn inner(&self) -> &T {
        &self.0
    }
}

#[async_trait]
impl<T: Table> Table for Lazy<T> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner().get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), TableError> {
        self.inner().put(item, condition).await
    }
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, TableError> {
        self.inner().update(key, update, condition).await
    }
    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, TableError> {
        self.inner().delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, TableError> {
        self.inner().query(query).await
    }
    async fn transact(&self, ops: Vec<TransactOp>) -> Result<(), TableError> {
        self.inner().transact(ops).await
    }
    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), TableError> {
        self.inner().batch_write(ops).await
    }
}

#[async_trait]
impl<T: Queue> Queue for Lazy<T> {
    async fn send(&self, queue: &str, messages: Vec<Outgoing>) -> Result<(), QueueError> {
        self.inner().send(queue, messages).await
    }
    async fn send_after(
        &self,
        queue: &str,
        message: Outgoing,
        delay: Duration,
    ) -> Result<(), QueueError> {
        self.inner().send_after(queue, message, delay).await
    }
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        self.inner().receive(queue, max, visibility).await
    }
    async fn dead_letter(&self, queue: &str, body: String) -> Result<(), QueueError> {
        self.inner().dead_letter(queue, body).await
    }
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.inner().delete(queue, receipt).await
    }
    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        self.inner().stats(queue).await
    }
}

#[async_trait]
impl<T: Fetcher> Fetcher for Lazy<T> {
    async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        self.inner().get(url).await
    }
}

#[async_trait]
impl<T: Mailer> Mailer for Lazy<T> {
    async fn send(
        &self,
        transport: &Transport,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<String, MailError> {
        self.inner().send(transport, envelope, raw).await
    }
}

#[async_trait]
impl<T: BlobStore> BlobStore for Lazy<T> {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        self.inner().get(key).await
    }
    async fn head(&self, key: &str, bytes: usize) -> Result<Vec<u8>, BlobError> {
        self.inner().head(key, bytes).await
    }
    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), BlobError> {
        self.inner().put(key, content_type, body).await
    }
    async fn link(&self, key: &str, valid_for: std::time::Duration) -> Result<String, BlobError> {
        self.inner().link(key, valid_for).await
    }
    async fn upload_link(
        &self,
        key: &str,
        valid_for: std::time::Duration,
    ) -> Result<String, BlobError> {
        self.inner().upload_link(key, valid_for).await
    }
    async fn waiting(&self) -> Result<Vec<String>, BlobError> {
        self.inner().waiting().await
    }
    async fn settle(&self, key: &str, ok: bool) -> Result<(), BlobError> {
        self.inner().settle(key, ok).await
    }
}

#[async_trait]
impl<T: EventBus> EventBus for Lazy<T> {
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError> {
        self.inner().publish(events).await
    }
}

#[async_trait]
impl<T: KeySource> KeySource for Lazy<T> {
    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, KeysUnavailable> {
        self.inner().key(kid).await
    }
}

/// Naming a provider builds it: names are read when it is about to be used anyway.
#[async_trait]
impl<T: Search> Search for Lazy<T> {
    fn name(&self) -> &'static str {
        self.inner().name()
    }
    async fn search(&self, query: &str, max_results: usize) -> Result<Vec<SearchHit>, SearchError> {
        self.inner().search(query, max_results).await
    }
}

#[async_trait]
impl<T: Llm> Llm for Lazy<T> {
    fn provider(&self) -> &str {
        self.inner().provider()
    }
    async fn complete(&self, request: LlmRequest) -> Result<LlmResponse, LlmError> {
        self.inner().complete(request).await
    }
}
