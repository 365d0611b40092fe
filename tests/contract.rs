//! The deployable contract: template.yaml declares exactly the functions the route table
//! and job registry define, and docs/openapi.json is the document the API serves.

mod support;

use backlinks_core::http::openapi::document_bytes;
use backlinks_core::http::route::Access;
use backlinks_core::http::routes::routes;
use backlinks_core::jobs::{QUEUES, Trigger, registry};
use serde_yaml_ng::Value;
use std::collections::{BTreeSet, HashMap};

fn kebab(operation_id: &str) -> String {
    let mut out = String::new();
    for c in operation_id.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Strips CloudFormation tags (`!Ref X` becomes `X`) so values compare as plain YAML.
fn plain(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => plain(&t.value),
        other => other,
    }
}

fn template() -> Value {
    let text = std::fs::read_to_string("template.yaml").unwrap();
    let mut value: Value = serde_yaml_ng::from_str(&text).unwrap();
    value.apply_merge().unwrap();
    value
}

struct Function<'a> {
    id: String,
    binary: String,
    props: &'a Value,
}

fn functions(t: &Value) -> Vec<Function<'_>> {
    resources_of(t, "AWS::Serverless::Function")
        .map(|(id, r)| Function {
            id: id.to_string(),
            binary: r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            props: &r["Properties"],
        })
        .collect()
}

fn events<'a>(f: &Function<'a>) -> Vec<&'a Value> {
    f.props["Events"]
        .as_mapping()
        .map(|m| m.values().collect())
        .unwrap_or_default()
}

#[test]
fn template_declares_one_function_per_route_and_job() {
    let t = template();
    let fns = functions(&t);
    let mut expected = BTreeSet::new();
    for route in routes() {
        let binary = kebab(route.operation_id);
        expected.insert(binary.clone());
        let matching: Vec<&Function> = fns.iter().filter(|f| f.binary == binary).collect();
        assert_eq!(
            matching.len(),
            1,
            "{} needs exactly one function",
            route.operation_id
        );
        let f = matching[0];
        let evs = events(f);
        assert_eq!(evs.len(), 1, "{}", f.id);
        let e = evs[0];
        assert_eq!(e["Type"].as_str(), Some("HttpApi"), "{}", f.id);
        assert_eq!(
            e["Properties"]["Method"].as_str(),
            Some(route.method.as_str()),
            "{}",
            f.id
        );
        assert_eq!(
            e["Properties"]["Path"].as_str(),
            Some(route.path),
            "{}",
            f.id
        );
        let public = e["Properties"]["Auth"]["Authorizer"].as_str() == Some("NONE");
        assert_eq!(
            public,
            route.access == Access::Public,
            "{} authorizer",
            f.id
        );
        assert_eq!(f.props["CodeUri"].as_str(), Some("./functions"));
    }
    for job in registry() {
        expected.insert(job.name.to_string());
        let matching: Vec<&Function> = fns.iter().filter(|f| f.binary == job.name).collect();
        assert_eq!(matching.len(), 1, "{} needs exactly one function", job.name);
        let f = matching[0];
        let timeout = f.props["Timeout"].as_u64().unwrap_or(15);
        assert_eq!(
            timeout,
            u64::from(job.function_timeout_secs()),
            "{} timeout",
            f.id
        );
        let evs = events(f);
        if job.trigger == Trigger::InboundMail {
            // Invoked by the SES receipt rule, right after its S3 action stored the message.
            assert!(evs.is_empty(), "{} has no event source of its own", f.id);
            let rule = t["Resources"]
                .as_mapping()
                .unwrap()
                .values()
                .find(|r| r["Type"].as_str() == Some("AWS::SES::ReceiptRule"))
                .expect("a receipt rule");
            let actions = rule["Properties"]["Rule"]["Actions"].as_sequence().unwrap();
            assert!(plain(&actions[0]["S3Action"]["BucketName"]).is_string());
            assert_eq!(
                plain(&actions[1]["LambdaAction"]["FunctionArn"]).as_str(),
                Some(format!("{}.Arn", f.id).as_str())
            );
            continue;
        }
        assert_eq!(evs.len(), 1);
        let e = evs[0];
        match job.trigger {
            Trigger::InboundMail => unreachable!("handled above"),
            Trigger::Topic(_) => {
                assert_eq!(e["Type"].as_str(), Some("SNS"));
                let topic = plain(&e["Properties"]["Topic"]).as_str().unwrap();
                assert_eq!(
                    t["Resources"][topic]["Type"].as_str(),
                    Some("AWS::SNS::Topic")
                );
            }
            Trigger::Schedule(expr) => {
                assert_eq!(e["Type"].as_str(), Some("Schedule"));
                assert_eq!(e["Properties"]["Schedule"].as_str(), Some(expr));
            }
            Trigger::Queue(queue) => {
                assert_eq!(e["Type"].as_str(), Some("SQS"));
                let types = &e["Properties"]["FunctionResponseTypes"];
                assert!(
                    types
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .any(|v| v.as_str() == Some("ReportBatchItemFailures"))
                );
                assert_eq!(
                    e["Properties"]["BatchSize"].as_u64(),
                    Some(u64::from(backlinks_core::jobs::BATCH_SIZE)),
                    "{queue} batch size"
                );
                // A batch starts a message only while a whole message limit is left.
                assert!(
                    job.function_timeout_secs()
                        >= job.timeout_secs + backlinks_core::jobs::batch::ANSWER_MARGIN_SECS,
                    "{queue}: the function cannot finish one message"
                );
                // Reserved concurrency and the event source's maximum agree with the
                // registry (a `!Ref` to a parameter counts with its default).
                let number = |v: &Value| match plain(v) {
                    Value::Number(n) => n.as_u64(),
                    Value::String(p) => t["Parameters"][p.as_str()]["Default"].as_u64(),
                    _ => None,
                };
                let concurrency = job.concurrency.map(u64::from);
                assert!(concurrency.is_some(), "{queue} names its concurrency");
                assert_eq!(
                    number(&f.props["ReservedConcurrentExecutions"]),
                    concurrency,
                    "{queue} reserved concurrency"
                );
                assert_eq!(
                    number(&e["Properties"]["ScalingConfig"]["MaximumConcurrency"]),
                    concurrency,
                    "{queue} maximum concurrency"
                );
                let arn = plain(&e["Properties"]["Queue"]).as_str().unwrap();
                let resource = arn.trim_end_matches(".Arn");
                let q = &t["Resources"][resource]["Properties"];
                let visibility = q["VisibilityTimeout"].as_u64().unwrap();
                assert!(
                    visibility >= 6 * timeout,
                    "{queue}: visibility {visibility} < 6 x {timeout}"
                );
                let spec = QUEUES.iter().find(|s| s.name == queue).unwrap();
                assert_eq!(
                    q["RedrivePolicy"]["maxReceiveCount"].as_u64(),
                    Some(spec.max_receives as u64)
                );
                let dlq = plain(&q["RedrivePolicy"]["deadLetterTargetArn"])
                    .as_str()
                    .unwrap();
                assert!(
                    t["Resources"][dlq.trim_end_matches(".Arn")]["Type"].as_str()
                        == Some("AWS::SQS::Queue")
                );
                let var = backlinks_core::config::queue_url_var(queue);
                let env = &t["Globals"]["Function"]["Environment"]["Variables"];
                assert_eq!(plain(&env[var.as_str()]).as_str(), Some(resource), "{var}");
                let dlq_resource = dlq.trim_end_matches(".Arn");
                let var = backlinks_core::config::dead_letter_url_var(queue);
                assert_eq!(
                    plain(&env[var.as_str()]).as_str(),
                    Some(dlq_resource),
                    "{var}"
                );
                let sends_to_dlq = f.props["Policies"].as_sequence().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        plain(&p["SQSSendMessagePolicy"]["QueueName"]).as_str()
                            == Some(format!("{dlq_resource}.QueueName").as_str())
                    })
                });
                assert!(
                    sends_to_dlq,
                    "{} may not dead-letter to {dlq_resource}",
                    f.id
                );
            }
        }
    }
    let declared: BTreeSet<String> = fns.iter().map(|f| f.binary.clone()).collect();
    assert_eq!(
        declared, expected,
        "template functions and routes/jobs differ"
    );
    assert_eq!(fns.len(), expected.len(), "a binary is declared twice");
    let bins: BTreeSet<String> = std::fs::read_dir("functions/src/bin")
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    assert_eq!(bins, expected, "functions/src/bin and routes/jobs differ");
}

fn resources_of<'a>(t: &'a Value, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(move |(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(id, r)| (id.as_str().unwrap(), r))
}

#[test]
fn every_dead_letter_queue_raises_an_alarm() {
    let t = template();
    let watched: BTreeSet<&str> = resources_of(&t, "AWS::CloudWatch::Alarm")
        .filter(|(_, a)| plain(&a["Properties"]["AlarmActions"][0]).as_str() == Some("AlarmTopic"))
        .filter_map(|(_, a)| plain(&a["Properties"]["Dimensions"][0]["Value"]).as_str())
        .map(|v| v.trim_end_matches(".QueueName"))
        .collect();
    let dead_letter: BTreeSet<&str> = resources_of(&t, "AWS::SQS::Queue")
        .map(|(id, _)| id)
        .filter(|id| id.ends_with("DeadLetterQueue"))
        .collect();
    assert_eq!(dead_letter.len(), 10);
    assert_eq!(watched, dead_letter);
}

#[test]
fn every_authenticated_route_may_write_its_rate_limit_bucket() {
    // app/limits.rs admits each authenticated call with a conditional PutItem.
    let t = template();
    let fns = functions(&t);
    for route in routes().into_iter().filter(|r| r.access != Access::Public) {
        let binary = kebab(route.operation_id);
        let f = fns.iter().find(|f| f.binary == binary).unwrap();
        let actions = format!("{:?}", f.props["Policies"]);
        assert!(
            actions.contains("dynamodb:PutItem"),
            "{binary} cannot admit a call"
        );
    }
}

#[test]
fn no_function_may_scan_the_table() {
    let text = std::fs::read_to_string("template.yaml").unwrap();
    assert!(!text.contains("dynamodb:Scan"));
    assert!(!text.contains("DynamoDBCrudPolicy"));
}

#[test]
fn committed_openapi_matches_the_generated_document() {
    let generated = document_bytes();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write("docs/openapi.json", &generated).unwrap();
    }
    let committed = std::fs::read("docs/openapi.json").unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo nextest run --test contract"
    );
    let doc: serde_json::Value = serde_json::from_slice(&generated).unwrap();
    let mut ids = HashMap::new();
    for route in routes() {
        let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
        assert_eq!(op["operationId"], route.operation_id);
        assert!(
            ids.insert(route.operation_id, ()).is_none(),
            "duplicate {}",
            route.operation_id
        );
    }
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let s = support::TestServer::start().await;
    let served = s
        .http
        .get(format!("{}/v1/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served, std::fs::read("docs/openapi.json").unwrap());
}

#[test]
fn only_exports_and_backlink_imports_reach_the_exports_bucket_which_forgets_in_a_day() {
    let t = template();
    let bucket = &t["Resources"]["ExportsBucket"];
    assert_eq!(bucket["Type"].as_str(), Some("AWS::S3::Bucket"));
    let props = &bucket["Properties"];
    assert_eq!(
        props["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"].as_bool(),
        Some(true)
    );
    let rules = props["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .unwrap();
    assert!(
        rules.iter().any(|r| r["Status"].as_str() == Some("Enabled")
            && r["ExpirationInDays"].as_u64() == Some(1))
    );
    assert!(
        plain(&t["Globals"]["Function"]["Environment"]["Variables"]["EXPORTS_BUCKET"]).is_null()
    );

    let text = |v: &Value| serde_yaml_ng::to_string(v).unwrap();
    let mut reaching = Vec::new();
    for f in functions(&t) {
        let variable = plain(&f.props["Environment"]["Variables"]["EXPORTS_BUCKET"]);
        let policies = text(&f.props["Policies"]);
        if !variable.is_null() || policies.contains("ExportsBucket") {
            reaching.push(f.binary.clone());
            assert_eq!(variable.as_str(), Some("ExportsBucket"), "{}", f.id);
            // Objects of that bucket only, and only what an export does with them.
            for statement in f.props["Policies"].as_sequence().unwrap() {
                let statement = text(statement);
                if statement.contains("s3:") {
                    assert!(statement.contains("${ExportsBucket.Arn}/*"), "{statement}");
                    assert!(!statement.contains("s3:*") && !statement.contains("Delete"));
                }
            }
        }
    }
    // Exports, and backlink exports uploaded to it (the upload link, its check at start,
    // and the job that reads it).
    reaching.sort();
    assert_eq!(
        reaching,
        [
            "backlink-import",
            "create-backlink-import",
            "export-csv",
            "start-backlink-import"
        ]
    );
}
