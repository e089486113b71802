//! An upstream's OpenAPI 3.0 document (Allegro's, KSeF's) turned into JSON Schema 2020-12
//! validators, for the emulators' conformance tests.
//!
//! `nullable: true` admits null; objects that are not parts of an `allOf` reject
//! properties the document does not define (`unevaluatedProperties: false`), so a
//! misspelt field fails. With [`Nulls::OptionalAdmitNull`], properties not listed as
//! `required` also admit null (Allegro sends `null` for absent optional fields although
//! its document rarely says so); KSeF's document marks them, so it is read strictly.
#![forbid(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// How optional properties treat `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// Only where the document says `nullable`.
    AsDocumented,
    /// Every property not listed as `required` admits null.
    OptionalAdmitNull,
}

/// The `shared/` folder beside the project's root (in CI too); `ALLEGRO_BRIDGE_SHARED`
/// overrides it. `manifest_dir` is a crate's folder two levels below the root.
pub fn shared_dir(manifest_dir: &str) -> PathBuf {
    std::env::var_os("ALLEGRO_BRIDGE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(manifest_dir).join("../../../shared"))
}

fn all_of_refs(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(parts)) = m.get("allOf") {
                for p in parts {
                    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                        out.insert(r.rsplit('/').next().unwrap_or_default().to_owned());
                    }
                }
            }
            m.values().for_each(|x| all_of_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| all_of_refs(x, out)),
        _ => {}
    }
}

fn or_null(v: Value) -> Value {
    json!({"anyOf": [v, {"type": "null"}]})
}

fn convert(v: &Value, strict: bool, nulls: Nulls) -> Value {
    let Value::Object(m) = v else { return v.clone() };
    let mut out = Map::new();
    let required: Vec<&str> = m
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (k, x) in m {
        match k.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "deprecated" | "readOnly"
            | "writeOnly" => {}
            "properties" => {
                let props: Map<String, Value> = x
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(pk, pv)| {
                                let c = convert(pv, true, nulls);
                                let optional = !required.contains(&pk.as_str());
                                let c = if optional && nulls == Nulls::OptionalAdmitNull {
                                    or_null(c)
                                } else {
                                    c
                                };
                                (pk.clone(), c)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "allOf" => {
                let parts = x
                    .as_array()
                    .map(|a| a.iter().map(|p| convert(p, false, nulls)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(parts));
            }
            "oneOf" | "anyOf" => {
                let parts = x
                    .as_array()
                    .map(|a| a.iter().map(|p| convert(p, true, nulls)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(parts));
            }
            "items" | "additionalProperties" | "not" if x.is_object() => {
                out.insert(k.clone(), convert(x, true, nulls));
            }
            _ => {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    if strict && m.contains_key("properties") && !m.contains_key("additionalProperties") && !m.contains_key("allOf") {
        out.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
    let converted = Value::Object(out);
    if m.get("nullable") == Some(&Value::Bool(true)) {
        or_null(converted)
    } else {
        converted
    }
}

/// The document and a validator per schema, built on first use.
pub struct Schemas {
    spec: Value,
    schemas: Value,
    validators: HashMap<String, jsonschema::Validator>,
}

impl Schemas {
    /// Reads an OpenAPI JSON document.
    pub fn from_file(path: &Path, nulls: Nulls) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Self::from_value(serde_json::from_str(&text).expect("the OpenAPI document parses"), nulls)
    }

    /// An OpenAPI document already read (e.g. one a server builds: allegro-bridge's own).
    pub fn from_value(spec: Value, nulls: Nulls) -> Self {
        let mut in_all_of = HashSet::new();
        all_of_refs(&spec["components"]["schemas"], &mut in_all_of);
        let schemas: Map<String, Value> = spec["components"]["schemas"]
            .as_object()
            .expect("components.schemas")
            .iter()
            .map(|(k, v)| (k.clone(), convert(v, !in_all_of.contains(k), nulls)))
            .collect();
        Self {
            spec,
            schemas: Value::Object(schemas),
            validators: HashMap::new(),
        }
    }

    /// The document.
    pub fn spec(&self) -> &Value {
        &self.spec
    }

    /// Validates `body` against the schema `schema_ref` (`#/components/schemas/X` or `X`).
    pub fn validate(&mut self, schema_ref: &str, body: &Value) -> Result<(), String> {
        let name = schema_ref.rsplit('/').next().unwrap_or(schema_ref).to_owned();
        if !self.validators.contains_key(&name) {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": {"schemas": self.schemas},
            });
            let v = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| e.to_string())?;
            self.validators.insert(name.clone(), v);
        }
        let errors: Vec<String> = self.validators[&name]
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{name}: {}", errors.join("; ")))
        }
    }
}
