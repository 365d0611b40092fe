//! What a handler receives: the verified identity, path parameters, query and body, with
//! parsing that turns every mistake into a problem naming the field.

use super::problem::Problem;
use crate::domain::FieldError;
use crate::domain::identity::Identity;
use crate::domain::ids::TenantId;
use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

pub struct Call {
    pub identity: Option<Identity>,
    pub params: Vec<(&'static str, String)>,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Turns a serde error message and path into the field it concerns.
fn field_of(path: &str, message: &str) -> String {
    // serde_path_to_error writes list positions as `pages[2].url`; fields are named
    // `pages.2.url` everywhere else.
    let path = path.replace('[', ".").replace(']', "");
    let base = if path == "." { "" } else { path.as_str() };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match named {
        Some(name) if base.is_empty() => name.to_string(),
        Some(name) if !base.ends_with(name) => format!("{base}.{name}"),
        _ => base.to_string(),
    }
}

impl Call {
    /// The caller; routes that need a token always have one here.
    pub fn identity(&self) -> Result<&Identity, Problem> {
        self.identity
            .as_ref()
            .ok_or_else(|| Problem::unauthorized("a bearer token is required"))
    }

    pub fn tenant(&self) -> Result<&TenantId, Problem> {
        Ok(&self.identity()?.tenant)
    }

    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// A path id; one that does not parse cannot exist, so it is a 404.
    pub fn id<T>(
        &self,
        name: &str,
        what: &'static str,
        parse: fn(&str) -> Result<T, FieldError>,
    ) -> Result<T, Problem> {
        parse(self.param(name)).map_err(|_| Problem::not_found(what))
    }

    /// The JSON body, with unknown fields, wrong types and bad enum values reported by
    /// field.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        let content_type = self
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") && !essence.ends_with("+json") {
            return Err(Problem::unsupported_media_type());
        }
        let text = if self.body.is_empty() {
            &b"{}"[..]
        } else {
            &self.body[..]
        };
        let mut de = serde_json::Deserializer::from_slice(text);
        let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
        match result {
            Ok(value) => de
                .end()
                .map(|_| value)
                .map_err(|e| Problem::malformed(format!("the body is not valid JSON: {e}"))),
            Err(err) => {
                let inner = err.inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(Problem::malformed(format!(
                        "the body is not valid JSON: {inner}"
                    )));
                }
                let path = err.path().to_string();
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                Err(Problem::validation(vec![FieldError::new(
                    field_of(&path, &message),
                    message,
                )]))
            }
        }
    }

    /// Query parameters, with unknown parameters and bad values reported by name.
    pub fn query<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        let raw = self.query.as_deref().unwrap_or("");
        let pairs = form_urlencoded::parse(raw.as_bytes());
        let de = serde_urlencoded::Deserializer::new(pairs);
        serde_path_to_error::deserialize(de).map_err(|err| {
            let message = err.inner().to_string();
            Problem::validation(vec![FieldError::new(
                field_of(&err.path().to_string(), &message),
                message,
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_the_path_or_the_message() {
        assert_eq!(field_of(".", "missing field `name`"), "name");
        assert_eq!(
            field_of("limits", "unknown field `x`, expected one of"),
            "limits.x"
        );
        assert_eq!(
            field_of("limits.maxFollowUps", "invalid type"),
            "limits.maxFollowUps"
        );
        assert_eq!(
            field_of("extra", "unknown field `extra`, expected"),
            "extra"
        );
        assert_eq!(
            field_of("pages[2].keywords[0].difficulty", "invalid value"),
            "pages.2.keywords.0.difficulty"
        );
    }
}
