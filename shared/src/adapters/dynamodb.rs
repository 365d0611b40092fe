//! The table on DynamoDB (aws-sdk-dynamodb, items converted with serde_dynamo). The endpoint
//! follows the SDK's configuration, so `AWS_ENDPOINT_URL` points it at a local emulator.

use crate::ports::clock::Clock;
use crate::ports::table::{
    CompareOp, Condition, Cursor, Index, Item, Key, PK, Page, Query, SK, SortCondition, TTL, Table,
    TableError, TransactOp, Update, WriteOp, check_item, check_transaction,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest,
    GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType, Put, PutRequest,
    ReturnValue, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem,
    Update as DynamoUpdate, WriteRequest,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type AttrMap = HashMap<String, AttributeValue>;

/// BatchWriteItem takes at most 25 requests.
const BATCH_WRITE_MAX: usize = 25;

pub struct DynamoTable {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoTable {
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            table: table.into(),
            clock,
        }
    }

    fn now(&self) -> i64 {
        self.clock.now().epoch_seconds()
    }

    /// Creates the table with the same keys, indexes and TTL as template.yaml declares.
    /// Used by tests and by local runs against an emulator.
    pub async fn create_table(client: &Client, table: &str) -> Result<(), TableError> {
        let string_attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(invalid)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(invalid)
        };
        let mut request = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(string_attr(PK)?)
            .attribute_definitions(string_attr(SK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?);
        for index in Index::GSIS {
            let (p, s) = (index.partition_attr(), index.sort_attr());
            request = request
                .attribute_definitions(string_attr(p)?)
                .attribute_definitions(string_attr(s)?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name().unwrap_or_default())
                        .key_schema(key(p, KeyType::Hash)?)
                        .key_schema(key(s, KeyType::Range)?)
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::All)
                                .build(),
                        )
                        .build()
                        .map_err(invalid)?,
                );
        }
        request.send().await.map_err(map_err)?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL)
                    .enabled(true)
                    .build()
                    .map_err(invalid)?,
            )
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

fn invalid(e: impl std::fmt::Display) -> TableError {
    TableError::Invalid(e.to_string())
}

fn map_err<E, R>(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> TableError
where
    aws_sdk_dynamodb::Error: From<aws_sdk_dynamodb::error::SdkError<E, R>>,
{
    let err = aws_sdk_dynamodb::Error::from(err);
    match &err {
        aws_sdk_dynamodb::Error::ConditionalCheckFailedException(_) => TableError::ConditionFailed,
        aws_sdk_dynamodb::Error::TransactionCanceledException(e) => {
            let reasons = e.cancellation_reasons();
            let failed: Vec<usize> = reasons
                .iter()
                .enumerate()
                .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(i, _)| i)
                .collect();
            if failed.is_empty() {
                let codes: Vec<&str> = reasons.iter().filter_map(|r| r.code()).collect();
                TableError::Unavailable(format!("transaction cancelled ({})", codes.join(", ")))
            } else {
                TableError::TransactionCancelled { failed }
            }
        }
        _ if err.code() == Some("ValidationException") => {
            TableError::Invalid(err.message().unwrap_or("validation failed").to_string())
        }
        _ => TableError::Unavailable(format!(
            "{}",
            aws_sdk_dynamodb::error::DisplayErrorContext(&err)
        )),
    }
}

fn to_attrs(item: &Item) -> Result<AttrMap, TableError> {
    serde_dynamo::to_item(item).map_err(invalid)
}

fn from_attrs(attrs: AttrMap) -> Result<Item, TableError> {
    serde_dynamo::from_item(attrs)
        .map_err(|e| TableError::Unavailable(format!("corrupt item: {e}")))
}

fn key_attrs(key: &Key) -> AttrMap {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(key.pk.clone())),
        (SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Collects expression attribute names and values while rendering expressions.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: AttrMap,
}

impl Expr {
    fn name(&mut self, attr: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attr) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attr.to_string());
        placeholder
    }

    fn value(&mut self, value: &Value) -> Result<String, TableError> {
        let placeholder = format!(":v{}", self.values.len());
        let attr = serde_dynamo::to_attribute_value(value).map_err(invalid)?;
        self.values.insert(placeholder.clone(), attr);
        Ok(placeholder)
    }

    fn render(&mut self, condition: &Condition) -> Result<String, TableError> {
        Ok(match condition {
            Condition::Exists => format!("attribute_exists({})", self.name(PK)),
            Condition::NotExists => format!("attribute_not_exists({})", self.name(PK)),
            Condition::AttributeExists(a) => format!("attribute_exists({})", self.name(a)),
            Condition::AttributeNotExists(a) => format!("attribute_not_exists({})", self.name(a)),
            Condition::Compare(a, CompareOp::Ne, v) => {
                let (n, v) = (self.name(a), self.value(v)?);
                format!("(attribute_not_exists({n}) OR {n} <> {v})")
            }
            Condition::Compare(a, op, v) => {
                let symbol = match op {
                    CompareOp::Eq => "=",
                    CompareOp::Lt => "<",
                    CompareOp::Le => "<=",
                    CompareOp::Gt => ">",
                    CompareOp::Ge => ">=",
                    CompareOp::Ne => unreachable!("handled above"),
                };
                format!("{} {symbol} {}", self.name(a), self.value(v)?)
            }
            Condition::And(all) => self.join(all, true)?,
            Condition::Or(any) => self.join(any, false)?,
        })
    }

    /// Renders a conjunction (`all` true) or disjunction without outer parentheses
    /// (DynamoDB refuses redundant ones); compound operands get their own. Empty ones
    /// render as the constants `holds` gives them: true for AND, false for OR.
    fn join(&mut self, parts: &[Condition], all: bool) -> Result<String, TableError> {
        if parts.is_empty() {
            let pk = self.name(PK);
            let op = if all { "OR" } else { "AND" };
            return Ok(format!(
                "attribute_exists({pk}) {op} attribute_not_exists({pk})"
            ));
        }
        let mut rendered = Vec::with_capacity(parts.len());
        for part in parts {
            rendered.push(self.operand(part)?);
        }
        Ok(rendered.join(if all { " AND " } else { " OR " }))
    }

    /// A condition as an operand of AND/OR: parenthesised when it is itself compound.
    fn operand(&mut self, condition: &Condition) -> Result<String, TableError> {
        let text = self.render(condition)?;
        Ok(match condition {
            Condition::And(_) | Condition::Or(_) => format!("({text})"),
            _ => text,
        })
    }

    /// Renders a condition so that an expired item counts as absent: the condition's value
    /// on an absent item is known in advance, so the expired case is OR-ed or AND-ed in.
    fn condition(&mut self, condition: &Condition, now: i64) -> Result<String, TableError> {
        let inner = self.operand(condition)?;
        let ttl = self.name(TTL);
        let now = self.value(&Value::from(now))?;
        Ok(if condition.holds(None) {
            format!("{inner} OR {ttl} <= {now}")
        } else {
            format!("{inner} AND (attribute_not_exists({ttl}) OR {ttl} > {now})")
        })
    }

    fn update(&mut self, update: &Update) -> Result<String, TableError> {
        for attr in update.set.iter().map(|(a, _)| a).chain(&update.remove) {
            if attr == PK || attr == SK {
                return Err(TableError::Invalid(
                    "an update cannot change PK or SK".into(),
                ));
            }
        }
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let mut parts = Vec::new();
            for (attr, value) in &update.set {
                parts.push(format!("{} = {}", self.name(attr), self.value(value)?));
            }
            clauses.push(format!("SET {}", parts.join(", ")));
        }
        if !update.add.is_empty() {
            let mut parts = Vec::new();
            for (attr, delta) in &update.add {
                parts.push(format!(
                    "{} {}",
                    self.name(attr),
                    self.value(&Value::from(*delta))?
                ));
            }
            clauses.push(format!("ADD {}", parts.join(", ")));
        }
        if !update.remove.is_empty() {
            let parts: Vec<String> = update.remove.iter().map(|a| self.name(a)).collect();
            clauses.push(format!("REMOVE {}", parts.join(", ")));
        }
        if clauses.is_empty() {
            return Err(TableError::Invalid(
                "an update needs at least one action".into(),
            ));
        }
        Ok(clauses.join(" "))
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<AttrMap> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn sort_expr(expr: &mut Expr, attr: &str, sort: &SortCondition) -> Result<String, TableError> {
    let n = expr.name(attr);
    let mut v = |s: &String| expr.value(&Value::String(s.clone()));
    Ok(match sort {
        SortCondition::Eq(s) => format!("{n} = {}", v(s)?),
        SortCondition::Lt(s) => format!("{n} < {}", v(s)?),
        SortCondition::Le(s) => format!("{n} <= {}", v(s)?),
        SortCondition::Gt(s) => format!("{n} > {}", v(s)?),
        SortCondition::Ge(s) => format!("{n} >= {}", v(s)?),
        SortCondition::Between(a, b) => {
            let a = v(a)?;
            format!("{n} BETWEEN {a} AND {}", v(b)?)
        }
        SortCondition::BeginsWith(s) => format!("begins_with({n}, {})", v(s)?),
    })
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        match out.item {
            None => Ok(None),
            Some(attrs) => {
                let item = from_attrs(attrs)?;
                Ok((!crate::ports::table::is_expired(&item, self.now())).then_some(item))
            }
        }
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), TableError> {
        check_item(&item)?;
        let mut expr = Expr::default();
        let cond = condition
            .map(|c| expr.condition(&c, self.now()))
            .transpose()?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attrs(&item)?))
            .set_condition_expression(cond)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, TableError> {
        let mut expr = Expr::default();
        let update_expr = expr.update(&update)?;
        let cond = condition
            .map(|c| expr.condition(&c, self.now()))
            .transpose()?;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .update_expression(update_expr)
            .set_condition_expression(cond)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(map_err)?;
        from_attrs(out.attributes.unwrap_or_default())
    }

    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, TableError> {
        let now = self.now();
        let mut expr = Expr::default();
        let cond = condition.map(|c| expr.condition(&c, now)).transpose()?;
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .set_condition_expression(cond)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(map_err)?;
        match out.attributes {
            Some(attrs) if !attrs.is_empty() => {
                let item = from_attrs(attrs)?;
                Ok((!crate::ports::table::is_expired(&item, now)).then_some(item))
            }
            _ => Ok(None),
        }
    }

    async fn query(&self, query: Query) -> Result<Page, TableError> {
        let start = match &query.start_after {
            None => None,
            Some(cursor) if cursor.fits(query.index, &query.partition) => Some(
                cursor
                    .0
                    .iter()
                    .map(|(k, v)| (k.clone(), AttributeValue::S(v.clone())))
                    .collect::<AttrMap>(),
            ),
            Some(_) => return Err(TableError::InvalidCursor),
        };
        let mut expr = Expr::default();
        let p = expr.name(query.index.partition_attr());
        let pv = expr.value(&Value::String(query.partition.clone()))?;
        let mut key_condition = format!("{p} = {pv}");
        if let Some(sort) = &query.sort {
            key_condition.push_str(" AND ");
            key_condition.push_str(&sort_expr(&mut expr, query.index.sort_attr(), sort)?);
        }
        let ttl = expr.name(TTL);
        let now = expr.value(&Value::from(self.now()))?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.name().map(str::to_string))
            .key_condition_expression(key_condition)
            .filter_expression(format!("attribute_not_exists({ttl}) OR {ttl} > {now}"))
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .scan_index_forward(query.forward)
            .limit(query.limit.max(1) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(map_err)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_attrs)
            .collect::<Result<Vec<_>, _>>()?;
        let next = match out.last_evaluated_key {
            Some(last) if !last.is_empty() => {
                let mut keys = std::collections::BTreeMap::new();
                for (k, v) in last {
                    let AttributeValue::S(s) = v else {
                        return Err(TableError::Unavailable("non-string key attribute".into()));
                    };
                    keys.insert(k, s);
                }
                Some(Cursor(keys))
            }
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn transact(&self, ops: Vec<TransactOp>) -> Result<(), TableError> {
        check_transaction(&ops)?;
        let now = self.now();
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            let mut expr = Expr::default();
            let built = match op {
                TransactOp::Put { item, condition } => {
                    let cond = condition
                        .as_ref()
                        .map(|c| expr.condition(c, now))
                        .transpose()?;
                    TransactWriteItem::builder().put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(to_attrs(item)?))
                            .set_condition_expression(cond)
                            .set_expression_attribute_names(expr.names())
                            .set_expression_attribute_values(expr.values())
                            .build()
                            .map_err(invalid)?,
                    )
                }
                TransactOp::Update {
                    key,
                    update,
                    condition,
                } => {
                    let update_expr = expr.update(update)?;
                    let cond = condition
                        .as_ref()
                        .map(|c| expr.condition(c, now))
                        .transpose()?;
                    TransactWriteItem::builder().update(
                        DynamoUpdate::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .update_expression(update_expr)
                            .set_condition_expression(cond)
                            .set_expression_attribute_names(expr.names())
                            .set_expression_attribute_values(expr.values())
                            .build()
                            .map_err(invalid)?,
                    )
                }
                TransactOp::Delete { key, condition } => {
                    let cond = condition
                        .as_ref()
                        .map(|c| expr.condition(c, now))
                        .transpose()?;
                    TransactWriteItem::builder().delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .set_condition_expression(cond)
                            .set_expression_attribute_names(expr.names())
                            .set_expression_attribute_values(expr.values())
                            .build()
                            .map_err(invalid)?,
                    )
                }
                TransactOp::Check { key, condition } => {
                    let cond = expr.condition(condition, now)?;
                    TransactWriteItem::builder().condition_check(
                        ConditionCheck::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .condition_expression(cond)
                            .set_expression_attribute_names(expr.names())
                            .set_expression_attribute_values(expr.values())
                            .build()
                            .map_err(invalid)?,
                    )
                }
            };
            items.push(built.build());
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), TableError> {
        for chunk in ops.chunks(BATCH_WRITE_MAX) {
            let mut requests = Vec::with_capacity(chunk.len());
            for op in chunk {
                requests.push(match op {
                    WriteOp::Put(item) => {
                        check_item(item)?;
                        WriteRequest::builder()
                            .put_request(
                                PutRequest::builder()
                                    .set_item(Some(to_attrs(item)?))
                                    .build()
                                    .map_err(invalid)?,
                            )
                            .build()
                    }
                    WriteOp::Delete(key) => WriteRequest::builder()
                        .delete_request(
                            DeleteRequest::builder()
                                .set_key(Some(key_attrs(key)))
                                .build()
                                .map_err(invalid)?,
                        )
                        .build(),
                });
            }
            let mut pending = HashMap::from([(self.table.clone(), requests)]);
            // Unprocessed items are retried with backoff, as the API asks callers to do.
            for attempt in 0..8u32 {
                let out = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(map_err)?;
                pending = out.unprocessed_items.unwrap_or_default();
                pending.retain(|_, reqs| !reqs.is_empty());
                if pending.is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
            }
            if !pending.is_empty() {
                return Err(TableError::Unavailable(
                    "batch write left unprocessed items after retries".into(),
                ));
            }
        }
        Ok(())
    }
}
