//! Which route a request is for, from its method and path.

use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The routes of `infra/openapi.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/invoices/pdf`.
    RenderPdf,
    /// `POST /v1/invoices`.
    Submit,
    /// `GET /v1/invoices/{id}`, the id percent-decoded (it may contain `/`, sent as `%2F`).
    Status(String),
    /// A known path with a method it does not serve.
    MethodNotAllowed(&'static str),
    /// Nothing is served at the path.
    NotFound(String),
}

const PDF_PATH: &str = "/v1/invoices/pdf";
const INVOICES_PATH: &str = "/v1/invoices";

/// The route of `request`.
pub fn route(request: &Request) -> Route {
    let path = path_without_stage(request);
    let method = request.method();
    if path == PDF_PATH {
        return only(method, Method::POST, "POST", Route::RenderPdf);
    }
    if path == INVOICES_PATH {
        return only(method, Method::POST, "POST", Route::Submit);
    }
    if let Some(id) = path.strip_prefix("/v1/invoices/")
        && !id.is_empty()
    {
        return match percent_decode(id) {
            Some(id) => only(method, Method::GET, "GET", Route::Status(id)),
            None => Route::NotFound(path),
        };
    }
    Route::NotFound(path)
}

fn only(method: &Method, allowed: Method, allow: &'static str, route: Route) -> Route {
    if *method == allowed {
        route
    } else {
        Route::MethodNotAllowed(allow)
    }
}

/// The path as the API defines it. API Gateway's `rawPath` starts with the stage's name unless
/// the stage is `$default`; the routes do not.
fn path_without_stage(request: &Request) -> String {
    let raw = request.raw_http_path();
    let raw = if raw.is_empty() {
        request.uri().path()
    } else {
        raw
    };
    if let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref()
        && let Some(stage) = context.stage.as_deref()
        && stage != "$default"
        && let Some(rest) = raw
            .strip_prefix('/')
            .and_then(|rest| rest.strip_prefix(stage))
        && rest.starts_with('/')
    {
        return rest.to_owned();
    }
    raw.to_owned()
}

/// `%XX` sequences decoded; `None` when they do not make UTF-8 text.
fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_and_broken_ones_do_not() {
        assert_eq!(
            percent_decode("ACME%2F2026%2F0001").as_deref(),
            Some("ACME/2026/0001")
        );
        assert_eq!(percent_decode("INV-1").as_deref(), Some("INV-1"));
        assert_eq!(percent_decode("%ff"), None);
    }
}
