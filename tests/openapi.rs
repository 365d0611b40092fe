//! The facts of the OpenAPI document that the fuzzer (infra/fuzz.sh) once found wrong, pinned
//! without running it: the document states what the API enforces, so a generated client
//! sends what the API accepts.

use backlinks_core::app::paging::MAX_LIMIT;
use backlinks_core::http::openapi::document_bytes;
use backlinks_core::http::route::ResponseDoc;
use backlinks_core::http::routes::routes;
use serde_json::{Value, json};

fn document() -> Value {
    serde_json::from_slice(&document_bytes()).unwrap()
}

fn operations(doc: &Value) -> impl Iterator<Item = (String, &Value)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .map(move |(method, op)| (format!("{} {path}", method.to_uppercase()), op))
        })
}

fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no component {name}");
    schema
}

/// A component's own properties (the first `allOf` branch when it has one).
fn property<'a>(doc: &'a Value, name: &str, field: &str) -> &'a Value {
    let schema = component(doc, name);
    let object = schema["allOf"].get(0).unwrap_or(schema);
    let property = &object["properties"][field];
    assert!(property.is_object(), "{name} has no property {field}");
    property
}

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_names_a_component() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} is not a component schema reference"));
        component(&doc, name);
    }
}

#[test]
fn every_page_limit_is_declared_with_the_bounds_the_api_enforces() {
    let doc = document();
    let mut lists = 0;
    for (name, op) in operations(&doc) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        for limit in params.iter().filter(|p| p["name"] == "limit") {
            lists += 1;
            assert_eq!(limit["schema"]["minimum"], json!(1), "{name}");
            assert_eq!(limit["schema"]["maximum"], json!(MAX_LIMIT), "{name}");
        }
    }
    let list_routes = routes()
        .iter()
        .filter(|r| matches!(r.response, ResponseDoc::List(_)))
        .count();
    assert_eq!(lists, list_routes, "every list takes a limit");
}

#[test]
fn a_new_backlink_needs_a_source_domain_or_a_source_url() {
    let doc = document();
    let schema = component(&doc, "NewBacklink");
    let all_of = schema["allOf"].as_array().expect("NewBacklink is an allOf");
    let any_of = all_of
        .iter()
        .find_map(|s| s["anyOf"].as_array())
        .expect("an anyOf of the two ways to name the source");
    let required: Vec<&Value> = any_of.iter().map(|s| &s["required"]).collect();
    assert_eq!(required, [&json!(["sourceDomain"]), &json!(["sourceUrl"])]);
    assert!(
        doc["paths"]["/v1/backlinks"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"]
            == "#/components/schemas/NewBacklink"
    );
}

#[test]
fn names_that_must_not_be_empty_say_so() {
    let doc = document();
    for (schema, field) in [
        ("NewCampaign", "name"),
        ("CampaignPatch", "name"),
        ("TemplateInput", "name"),
        ("TemplateInput", "subject"),
        ("TemplateInput", "body"),
        ("TemplatePatch", "subject"),
        ("NewSuppression", "value"),
        ("NewJob", "name"),
        ("SenderPatch", "fromName"),
        ("SmtpInput", "host"),
        ("Prompts", "classificationSystem"),
        ("ExclusionRule", "id"),
    ] {
        assert_eq!(
            property(&doc, schema, field)["minLength"],
            json!(1),
            "{schema}.{field}"
        );
    }
}

#[test]
fn numeric_settings_carry_their_ranges() {
    let doc = document();
    for (schema, field, min, max) in [
        (
            "Layer2Rules",
            "blogFreshnessThresholdDays",
            json!(1),
            json!(3650),
        ),
        ("Layer2Rules", "minimumPublicationScore", json!(0), json!(1)),
        ("Layer3Rules", "autoRejectThreshold", json!(0), json!(1)),
        ("ConfidenceThresholds", "veryHigh", json!(0), json!(1)),
        ("SendCaps", "perTenantDaily", json!(1), json!(100_000)),
        ("SendWindow", "endHour", json!(1), json!(24)),
        ("LimitsInput", "maxEmailsPerDay", json!(1), json!(1000)),
    ] {
        let p = property(&doc, schema, field);
        assert_eq!(
            (&p["minimum"], &p["maximum"]),
            (&min, &max),
            "{schema}.{field}"
        );
    }
    assert_eq!(property(&doc, "SmtpInput", "port")["minimum"], json!(1));
}

#[test]
fn the_unsubscribe_pages_are_html_even_when_the_link_is_not_valid() {
    let doc = document();
    for method in ["get", "post"] {
        let responses = &doc["paths"]["/v1/unsubscribe/{token}"][method]["responses"];
        for status in ["200", "404"] {
            let content = responses[status]["content"].as_object().unwrap();
            let types: Vec<&String> = content.keys().collect();
            assert_eq!(types, ["text/html"], "{method} {status}");
        }
    }
}

#[test]
fn the_export_kind_is_stated_in_place() {
    let doc = document();
    let params = doc["paths"]["/v1/exports"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let kind = params.iter().find(|p| p["name"] == "kind").unwrap();
    assert_eq!(kind["required"], json!(true));
    assert_eq!(
        kind["schema"]["enum"],
        json!(["leads", "attempts", "replies"])
    );
}
