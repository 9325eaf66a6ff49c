//! SAM's `Globals` section, merged the way SAM merges it: `Globals.Function` into every
//! `AWS::Serverless::Function`, `Globals.HttpApi` into every `AWS::Serverless::HttpApi`; the
//! resource's own scalars win, maps are merged key by key, lists are concatenated.

use super::convert::key_string;
use super::intrinsics::intrinsic_of_mapping;
use super::{Result, function, http_api, invalid};
use serde_norway::{Mapping, Value};

/// SAM's `Globals`: merged into the resources they apply to, before anything else reads them.
pub(super) fn apply_globals(root: &mut Mapping) -> Result<()> {
    let Some(globals) = root.remove("Globals") else {
        return Ok(());
    };
    let Value::Mapping(globals) = globals else {
        return Err(invalid("Globals", "must be a mapping"));
    };
    for (section, values) in globals {
        let section = key_string(&section, "Globals")?;
        let target = match section.as_str() {
            "Function" => function::TYPE,
            "HttpApi" => http_api::TYPE,
            other => {
                return Err(invalid(
                    format!("Globals.{other}"),
                    "only Globals.Function and Globals.HttpApi are supported by the local stack",
                ));
            }
        };
        if !matches!(values, Value::Mapping(_)) {
            return Err(invalid(format!("Globals.{section}"), "must be a mapping"));
        }
        let Some(Value::Mapping(resources)) = root.get_mut("Resources") else {
            return Ok(());
        };
        for (_, resource) in resources.iter_mut() {
            let Value::Mapping(resource) = resource else {
                continue;
            };
            if resource.get("Type").and_then(Value::as_str) != Some(target) {
                continue;
            }
            let own = resource
                .remove("Properties")
                .unwrap_or(Value::Mapping(Mapping::new()));
            resource.insert(
                Value::String("Properties".to_owned()),
                merge_globals(values.clone(), own),
            );
        }
    }
    Ok(())
}

/// SAM's merge: the resource's own scalars win, maps merge key by key, lists concatenate. An
/// intrinsic is a scalar here: it replaces, it is never merged into.
fn merge_globals(global: Value, own: Value) -> Value {
    match (global, own) {
        (Value::Mapping(mut global), Value::Mapping(own))
            if intrinsic_of_mapping(&global).is_none() && intrinsic_of_mapping(&own).is_none() =>
        {
            for (key, value) in own {
                let merged = match global.remove(&key) {
                    Some(base) => merge_globals(base, value),
                    None => value,
                };
                global.insert(key, merged);
            }
            Value::Mapping(global)
        }
        (Value::Sequence(mut global), Value::Sequence(own)) => {
            global.extend(own);
            Value::Sequence(global)
        }
        (_, own) => own,
    }
}
