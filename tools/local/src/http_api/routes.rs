//! Route selection as API Gateway's HTTP API does it: exact paths first, then paths with
//! `{param}` segments, then greedy `{proxy+}`; path parameters percent-decoded after splitting.

use crate::spec::{FunctionSpec, HttpRouteSpec};
use std::collections::BTreeMap;

/// One segment of a route's path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A literal segment; matched against the percent-decoded request segment.
    Literal(String),
    /// `{name}`: exactly one segment.
    Param(String),
    /// `{name+}`: the rest of the path, one segment or more; only as the last segment.
    Greedy(String),
}

/// A route of the table with its parsed path.
#[derive(Clone, Debug)]
struct Route {
    function: FunctionSpec,
    spec: HttpRouteSpec,
    route_key: String,
    segments: Vec<Segment>,
    /// Sort key: lower is more specific.
    priority: (u8, Vec<u8>, u8),
}

/// The routes of one HTTP API, ordered the way API Gateway selects among them: "API Gateway
/// selects the route with the most-specific match" — a path without variables before one with
/// `{param}` segments, before one with a greedy `{proxy+}`; an explicit method before `ANY`
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>).
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

/// The route a request matched.
#[derive(Clone, Debug)]
pub struct RouteMatch<'a> {
    /// The function the route invokes.
    pub function: &'a FunctionSpec,
    /// The route as the template declares it.
    pub route: &'a HttpRouteSpec,
    /// `POST /v1/invoices/pdf`: the route key as API Gateway spells it.
    pub route_key: &'a str,
    /// The values of the path's variables, percent-decoded.
    pub path_parameters: BTreeMap<String, String>,
}

impl RouteTable {
    /// A table of `routes`. Routes whose path cannot be parsed are left out and returned with the
    /// reason, so the caller can say so.
    pub fn new(routes: Vec<(FunctionSpec, HttpRouteSpec)>) -> (RouteTable, Vec<String>) {
        let mut table = Vec::new();
        let mut refused = Vec::new();
        for (function, spec) in routes {
            let route_key = format!("{} {}", spec.method.to_ascii_uppercase(), spec.path);
            if spec.payload_format_version != "2.0" {
                refused.push(format!(
                    "{route_key}: payload format {} is not run locally (only 2.0)",
                    spec.payload_format_version
                ));
                continue;
            }
            match parse_route_path(&spec.path) {
                Ok(segments) => {
                    let class = if segments.iter().any(|s| matches!(s, Segment::Greedy(_))) {
                        2
                    } else if segments.iter().any(|s| matches!(s, Segment::Param(_))) {
                        1
                    } else {
                        0
                    };
                    let shape = segments
                        .iter()
                        .map(|segment| match segment {
                            Segment::Literal(_) => 0,
                            Segment::Param(_) => 1,
                            Segment::Greedy(_) => 2,
                        })
                        .collect();
                    let any = u8::from(spec.method.eq_ignore_ascii_case("ANY"));
                    table.push(Route {
                        function,
                        spec,
                        route_key,
                        segments,
                        priority: (class, shape, any),
                    });
                }
                Err(reason) => refused.push(format!("{route_key}: {reason}")),
            }
        }
        table.sort_by(|a, b| a.priority.cmp(&b.priority));
        (RouteTable { routes: table }, refused)
    }

    /// The routes, most specific first.
    pub fn route_keys(&self) -> Vec<&str> {
        self.routes.iter().map(|r| r.route_key.as_str()).collect()
    }

    /// The route for `method` and `raw_path` (the path after the stage, still percent-encoded as
    /// the client sent it), or `None` (API Gateway's 404).
    pub fn find(&self, method: &str, raw_path: &str) -> Option<RouteMatch<'_>> {
        // Split before decoding, so an encoded `%2F` stays inside its segment (a parameter
        // value), as RFC 3986 says it must.
        let request: Vec<&str> = match raw_path.strip_prefix('/') {
            Some("") => Vec::new(),
            Some(rest) => rest.split('/').collect(),
            None => return None,
        };
        self.routes.iter().find_map(|route| {
            let method_ok = route.spec.method.eq_ignore_ascii_case("ANY")
                || route.spec.method.eq_ignore_ascii_case(method);
            if !method_ok {
                return None;
            }
            let path_parameters = match_segments(&route.segments, &request)?;
            Some(RouteMatch {
                function: &route.function,
                route: &route.spec,
                route_key: &route.route_key,
                path_parameters,
            })
        })
    }
}

/// `/v1/invoices/{id}` → its segments.
fn parse_route_path(path: &str) -> Result<Vec<Segment>, String> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("the path {path:?} does not start with /"))?;
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            match part
                .strip_prefix('{')
                .and_then(|inner| inner.strip_suffix('}'))
            {
                Some(name) if name.ends_with('+') => {
                    if index != last {
                        return Err(format!("the greedy variable in {path:?} is not last"));
                    }
                    Ok(Segment::Greedy(name.trim_end_matches('+').to_owned()))
                }
                Some(name) if !name.is_empty() => Ok(Segment::Param(name.to_owned())),
                Some(_) => Err(format!("an empty variable in {path:?}")),
                None => Ok(Segment::Literal((*part).to_owned())),
            }
        })
        .collect()
}

/// The path parameters if `request` (raw segments) matches `route`.
fn match_segments(route: &[Segment], request: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut parameters = BTreeMap::new();
    for (index, segment) in route.iter().enumerate() {
        match segment {
            Segment::Literal(literal) => {
                if percent_decode(request.get(index)?) != *literal {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = request.get(index)?;
                if value.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), percent_decode(value));
            }
            Segment::Greedy(name) => {
                let rest = request.get(index..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), percent_decode(&rest));
                return Some(parameters);
            }
        }
    }
    (request.len() == route.len()).then_some(parameters)
}

/// `%XX` sequences decoded; anything that is not a valid escape is kept as is, and bytes that do
/// not form UTF-8 become U+FFFD (the event is JSON: its strings are Unicode). `+` stays `+`:
/// that is form encoding, not URL encoding.
pub(super) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}
