//! Which AWS call a request is: its service (from the SigV4 credential scope), its operation
//! (from the protocol: S3's method and path, `X-Amz-Target` for JSON protocols, the `Action`
//! form field for query protocols, SES v2's REST path), and what it is about (the object key,
//! the event's subject, the e-mail's subject) where the request shows it.

use base64::Engine;
use hyper::http::request::Parts;
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// How a service's SDK speaks to it, which decides the shape of an error answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// S3: REST with XML error documents.
    RestXml,
    /// SNS (and SQS's and SES v1's older form): form-encoded requests, `<ErrorResponse>` XML.
    Query,
    /// SQS today: `x-amz-json-1.0` with `X-Amz-Target`, `__type` and `x-amzn-query-error`.
    AwsJson,
    /// SES v2: REST with JSON bodies and `x-amzn-ErrorType`.
    RestJson,
}

/// One AWS call as the proxy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The SigV4 signing name: `s3`, `sns`, `sqs`, `ses`, or `unknown`.
    pub service: String,
    /// The API operation (`PutObject`, `Publish`, `SendEmail`, …).
    pub operation: String,
    /// The bucket, topic or queue it addresses, when visible.
    pub resource: Option<String>,
    /// What it is about: the object's key, the event's `subject` attribute (the invoice id), the
    /// e-mail's Subject header.
    pub target: Option<String>,
    /// The protocol, for the shape of an injected error answer.
    pub protocol: Protocol,
}

impl Call {
    /// Identifies the call of a request from its head and its whole body.
    pub fn identify(parts: &Parts, body: &[u8]) -> Call {
        let service = signing_service(parts).unwrap_or_else(|| "unknown".to_owned());
        let form = || form_fields(parts, body);
        match service.as_str() {
            "s3" => s3_call(parts),
            "sqs" | "sns" | "ses" if header(parts, "x-amz-target").is_some() => {
                json_call(&service, parts, body)
            }
            "ses" if parts.uri.path().starts_with("/v2/") => ses_v2_call(parts, body),
            _ => query_call(service, &form()),
        }
    }
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
}

/// The service of the SigV4 credential scope `KEY/DATE/REGION/SERVICE/aws4_request`, from the
/// Authorization header or a presigned URL's `X-Amz-Credential`.
fn signing_service(parts: &Parts) -> Option<String> {
    let credential = match header(parts, "authorization") {
        Some(authorization) => authorization
            .split("Credential=")
            .nth(1)?
            .split(',')
            .next()?
            .to_owned(),
        None => {
            query_pairs(parts.uri.query().unwrap_or(""))
                .into_iter()
                .find(|(name, _)| name == "X-Amz-Credential")?
                .1
        }
    };
    credential.split('/').nth(3).map(str::to_owned)
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The form fields of a query-protocol request: the body's, or the URL's for a GET.
fn form_fields(parts: &Parts, body: &[u8]) -> Vec<(String, String)> {
    let mut fields = query_pairs(parts.uri.query().unwrap_or(""));
    if header(parts, "content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
    {
        fields.extend(query_pairs(&String::from_utf8_lossy(body)));
    }
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

/// SNS and the query form of SQS and SES: `Action=Publish&TopicArn=…`. The target of a
/// Publish is its `subject` message attribute: paperflow carries the invoice id there.
fn query_call(service: String, fields: &[(String, String)]) -> Call {
    let operation = field(fields, "Action").unwrap_or("Unknown").to_owned();
    let resource = field(fields, "TopicArn")
        .or_else(|| field(fields, "QueueUrl"))
        .map(str::to_owned);
    let target = fields.iter().find_map(|(name, value)| {
        let entry = name
            .strip_prefix("MessageAttributes.entry.")?
            .strip_suffix(".Name")?;
        (value == "subject").then(|| {
            field(
                fields,
                &format!("MessageAttributes.entry.{entry}.Value.StringValue"),
            )
        })?
    });
    Call {
        service,
        operation,
        resource,
        target: target.map(str::to_owned),
        protocol: Protocol::Query,
    }
}

/// JSON protocols: `X-Amz-Target: AmazonSQS.SendMessage`.
fn json_call(service: &str, parts: &Parts, body: &[u8]) -> Call {
    let operation = header(parts, "x-amz-target")
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or("Unknown")
        .to_owned();
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let attribute = |name: &str| {
        body["MessageAttributes"][name]["StringValue"]
            .as_str()
            .map(str::to_owned)
    };
    Call {
        service: service.to_owned(),
        operation,
        resource: body["QueueUrl"].as_str().map(str::to_owned),
        target: attribute("subject"),
        protocol: Protocol::AwsJson,
    }
}

/// SES v2: `POST /v2/email/outbound-emails` is SendEmail; its target is the raw message's
/// Subject header (`Invoice INV-1 (revision 2)`), or the simple message's subject.
fn ses_v2_call(parts: &Parts, body: &[u8]) -> Call {
    let path = parts.uri.path();
    let method = parts.method.as_str();
    let operation = match (method, path.trim_end_matches('/')) {
        ("POST", "/v2/email/outbound-emails") => "SendEmail".to_owned(),
        ("POST", "/v2/email/identities") => "CreateEmailIdentity".to_owned(),
        ("GET", "/v2/email/identities") => "ListEmailIdentities".to_owned(),
        ("GET", "/v2/email/account") => "GetAccount".to_owned(),
        _ => format!("{method} {path}"),
    };
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let raw_subject = body["Content"]["Raw"]["Data"]
        .as_str()
        .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
        .and_then(|raw| mail_header(&raw, "Subject"));
    let target = raw_subject.or_else(|| {
        body["Content"]["Simple"]["Subject"]["Data"]
            .as_str()
            .map(str::to_owned)
    });
    Call {
        service: "ses".to_owned(),
        operation,
        resource: body["Destination"]["ToAddresses"][0]
            .as_str()
            .map(str::to_owned),
        target,
        protocol: Protocol::RestJson,
    }
}

/// The value of header `name` in a MIME message's head (unfolded).
fn mail_header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        match (&mut value, line.starts_with([' ', '\t'])) {
            (Some(value), true) => value.push_str(line.trim_end()),
            (Some(_), false) => break,
            (None, _) => {
                if let Some((field, rest)) = line.split_once(':')
                    && field.eq_ignore_ascii_case(name)
                {
                    value = Some(rest.trim().to_owned());
                }
            }
        }
    }
    value
}

/// S3 in path style (`/bucket/key`), which the SDK uses for an IP endpoint; a
/// `bucket.localhost` Host is read as virtual-hosted style.
fn s3_call(parts: &Parts) -> Call {
    let host = header(parts, "host").unwrap_or("");
    let path = parts.uri.path().trim_start_matches('/');
    let virtual_bucket = host
        .split(':')
        .next()
        .and_then(|name| name.strip_suffix(".localhost"))
        .map(str::to_owned);
    let (bucket, key) = match virtual_bucket {
        Some(bucket) => (Some(bucket), path),
        None => match path.split_once('/') {
            Some((bucket, key)) => (Some(bucket.to_owned()), key),
            None => ((!path.is_empty()).then(|| path.to_owned()), ""),
        },
    };
    let key = percent_decode_str(key).decode_utf8_lossy().into_owned();
    let query = query_pairs(parts.uri.query().unwrap_or(""));
    let has = |name: &str| query.iter().any(|(field, _)| field == name);
    let method = parts.method.as_str();
    let operation = if key.is_empty() {
        match method {
            "GET" if has("list-type") => "ListObjectsV2",
            "GET" if bucket.is_none() => "ListBuckets",
            "GET" => "ListObjects",
            "PUT" => "CreateBucket",
            "HEAD" => "HeadBucket",
            "DELETE" => "DeleteBucket",
            "POST" if has("delete") => "DeleteObjects",
            _ => "Unknown",
        }
    } else {
        match method {
            "PUT" if parts.headers.contains_key("x-amz-copy-source") => "CopyObject",
            "PUT" if has("partNumber") => "UploadPart",
            "PUT" => "PutObject",
            "GET" => "GetObject",
            "HEAD" => "HeadObject",
            "DELETE" => "DeleteObject",
            "POST" if has("uploads") => "CreateMultipartUpload",
            "POST" if has("uploadId") => "CompleteMultipartUpload",
            _ => "Unknown",
        }
    };
    Call {
        service: "s3".to_owned(),
        operation: operation.to_owned(),
        resource: bucket,
        target: (!key.is_empty()).then_some(key),
        protocol: Protocol::RestXml,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = hyper::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).expect("a request").into_parts().0
    }

    fn signed(service: &str) -> (&'static str, String) {
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=testing/20261205/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
            ),
        )
    }

    #[test]
    fn an_s3_put_names_its_bucket_and_key() {
        let (name, value) = signed("s3");
        let call = Call::identify(
            &parts(
                "PUT",
                "/documents/invoices/INV%2D1/r1.pdf?x-id=PutObject",
                &[(name, &value)],
            ),
            b"%PDF",
        );
        assert_eq!(call.operation, "PutObject");
        assert_eq!(call.resource.as_deref(), Some("documents"));
        assert_eq!(call.target.as_deref(), Some("invoices/INV-1/r1.pdf"));
    }

    #[test]
    fn an_sns_publish_names_its_topic_and_subject_attribute() {
        let (name, value) = signed("sns");
        let body = "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At\
            &Message=%7B%7D&MessageAttributes.entry.1.Name=type\
            &MessageAttributes.entry.1.Value.StringValue=invoice.pdf.ready.v1\
            &MessageAttributes.entry.2.Name=subject\
            &MessageAttributes.entry.2.Value.StringValue=INV-7";
        let call = Call::identify(
            &parts(
                "POST",
                "/",
                &[
                    (name, &value),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
            ),
            body.as_bytes(),
        );
        assert_eq!(call.operation, "Publish");
        assert_eq!(call.resource.as_deref(), Some("arn:aws:sns:us-east-1:1:t"));
        assert_eq!(call.target.as_deref(), Some("INV-7"));
        assert_eq!(call.protocol, Protocol::Query);
    }

    #[test]
    fn a_ses_v2_raw_send_names_the_mail_subject() {
        let (name, value) = signed("ses");
        let raw = "From: a@x.example\r\nSubject: Invoice INV-9\r\n (revision 2)\r\n\r\nHello";
        let body = serde_json::json!({
            "Destination": {"ToAddresses": ["ap@contoso.example"]},
            "Content": {"Raw": {"Data": base64::engine::general_purpose::STANDARD.encode(raw)}},
        });
        let call = Call::identify(
            &parts("POST", "/v2/email/outbound-emails", &[(name, &value)]),
            body.to_string().as_bytes(),
        );
        assert_eq!(call.operation, "SendEmail");
        assert_eq!(call.target.as_deref(), Some("Invoice INV-9 (revision 2)"));
        assert_eq!(call.protocol, Protocol::RestJson);
    }

    #[test]
    fn an_sqs_json_call_is_named_by_its_target_header() {
        let (name, value) = signed("sqs");
        let call = Call::identify(
            &parts(
                "POST",
                "/",
                &[(name, &value), ("x-amz-target", "AmazonSQS.SendMessage")],
            ),
            br#"{"QueueUrl":"http://q/1/x","MessageBody":"{}"}"#,
        );
        assert_eq!(call.operation, "SendMessage");
        assert_eq!(call.resource.as_deref(), Some("http://q/1/x"));
        assert_eq!(call.protocol, Protocol::AwsJson);
    }
}
