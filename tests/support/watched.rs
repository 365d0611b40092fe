//! A table that passes every call to the table it wraps, first showing each read to the
//! test: to count reads, or to fail one for a moment.

use async_trait::async_trait;
use backlinks_core::ports::Table;
use backlinks_core::ports::table::{
    Condition, Item, Key, Page, Query, TableError, TransactOp, Update, WriteOp,
};
use std::sync::Arc;

pub enum Read<'a> {
    Get(&'a Key),
    Query(&'a Query),
}

type OnRead = Box<dyn Fn(Read<'_>) -> Result<(), TableError> + Send + Sync>;

pub struct WatchedTable {
    inner: Arc<dyn Table>,
    on_read: OnRead,
}

impl WatchedTable {
    /// `on_read` sees each read first; an error it answers is the read's answer.
    pub fn new(
        inner: Arc<dyn Table>,
        on_read: impl Fn(Read<'_>) -> Result<(), TableError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            inner,
            on_read: Box::new(on_read),
        })
    }
}

#[async_trait]
impl Table for WatchedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        (self.on_read)(Read::Get(key))?;
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), TableError> {
        self.inner.put(item, condition).await
    }
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, TableError> {
        self.inner.update(key, update, condition).await
    }
    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, TableError> {
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, TableError> {
        (self.on_read)(Read::Query(&query))?;
        self.inner.query(query).await
    }
    async fn transact(&self, ops: Vec<TransactOp>) -> Result<(), TableError> {
        self.inner.transact(ops).await
    }
    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), TableError> {
        self.inner.batch_write(ops).await
    }
}
