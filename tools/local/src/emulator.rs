//! The emulator the stack's resources live in: moto's server, started on a free loopback port
//! and stopped with the stack, or an endpoint the user already runs (LocalStack, a shared moto).
//!
//! What the stack needs to know of it is asked of the emulator itself, never assumed: the
//! account its ARNs carry ([`Emulator::account`], STS GetCallerIdentity) and the services it
//! lacks ([`Emulator::missing_services`], one harmless call each).

use crate::http_client;
use crate::moto::{MotoError, MotoServer};
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The credentials every local client and function uses: emulators accept any.
pub const TEST_KEY: &str = "testing";

/// A running emulator.
pub struct Emulator {
    endpoint: String,
    region: String,
    /// What it is, for messages: `moto`, `LocalStack`, or `the emulator`.
    name: String,
    /// The server, when the stack started it; `None` for an endpoint the user runs.
    server: Option<MotoServer>,
}

impl Emulator {
    /// Starts `moto_server` (the project's, installed by `make tools`) on a free port of
    /// 127.0.0.1, its output in `log`, and waits until it answers.
    pub async fn start_moto(
        moto_server: &Path,
        log: &Path,
        region: &str,
    ) -> Result<Emulator, String> {
        let (program, log_path) = (moto_server.to_owned(), log.to_owned());
        let server = tokio::task::spawn_blocking(move || MotoServer::start(&program, &log_path))
            .await
            .map_err(|error| format!("starting moto_server: {error}"))?
            .map_err(|error| match error {
                MotoError::Missing(_) => {
                    format!("{error} (or pass --endpoint to use a running emulator)")
                }
                _ => format!(
                    "moto_server did not start: {error}; its log: {}",
                    log.display()
                ),
            })?;
        Ok(Emulator {
            endpoint: server.endpoint(),
            region: region.to_owned(),
            name: "moto".to_owned(),
            server: Some(server),
        })
    }

    /// An emulator the user runs at `endpoint`; the stack neither starts nor stops it.
    pub async fn existing(endpoint: &str, region: &str) -> Result<Emulator, String> {
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"))
        {
            return Err(format!(
                "--endpoint {endpoint}: the local stack talks to loopback emulators only (http://127.0.0.1:PORT)"
            ));
        }
        let name = name_of(&endpoint).await;
        Ok(Emulator {
            endpoint,
            region: region.to_owned(),
            name,
            server: None,
        })
    }

    /// What the emulator is, for messages: `moto`, `LocalStack` or `the emulator`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The account the emulator puts in its ARNs for the stack's credentials (STS
    /// GetCallerIdentity): moto answers 123456789012, LocalStack 000000000000 (it derives the
    /// account from the access key). The template's ARNs are built with it.
    pub async fn account(&self) -> Result<String, String> {
        let sts = aws_sdk_sts::Client::new(&self.sdk_config().await);
        let identity = sts.get_caller_identity().send().await.map_err(|error| {
            format!(
                "{} at {} did not say its account (STS GetCallerIdentity): {}",
                self.name,
                self.endpoint,
                DisplayErrorContext(error)
            )
        })?;
        match identity.account() {
            Some(account) if !account.is_empty() => Ok(account.to_owned()),
            _ => Err(format!(
                "{} at {}: STS GetCallerIdentity answered no Account",
                self.name, self.endpoint
            )),
        }
    }

    /// The services the stack uses that the emulator does not offer, asked with one harmless
    /// call each. A refused connection or an emulator error that is not "no such API" is an
    /// error: the stack could not run anyway.
    pub async fn missing_services(&self) -> Result<Vec<MissingService>, String> {
        let config = self.sdk_config().await;
        let mut missing = Vec::new();
        let sesv2 = aws_sdk_sesv2::Client::new(&config);
        // ListContactLists: read-only, and on the same route in every SES v2 model (ListEmailIdentities
        // moved from GET /v2/email/identities to POST /v2/email/list-identities, and an emulator
        // built on the newer model answers the older route 404).
        if let Err(error) = sesv2.list_contact_lists().send().await {
            if let Some(answer) = absent_api_answer(&error) {
                missing.push(MissingService {
                    iam_prefix: "ses".to_owned(),
                    name: "SES v2".to_owned(),
                    answer,
                });
            } else {
                return Err(format!(
                    "asking {} at {} for SES v2 (ListContactLists): {}",
                    self.name,
                    self.endpoint,
                    DisplayErrorContext(error)
                ));
            }
        }
        Ok(missing)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The region the stack's resources live in.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The moto server's process id, when the stack started one.
    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().and_then(MotoServer::pid)
    }

    /// An SDK configuration for the stack's own clients: the emulator's endpoint, region and
    /// test credentials set here, whatever the environment says; the HTTP client is the
    /// functions' own (`paperflow_aws::clients::config_loader`).
    pub async fn sdk_config(&self) -> SdkConfig {
        paperflow_aws::clients::config_loader()
            .endpoint_url(&self.endpoint)
            .region(Region::new(self.region.clone()))
            .credentials_provider(Credentials::new(
                TEST_KEY,
                TEST_KEY,
                None,
                None,
                "local-stack",
            ))
            .load()
            .await
    }

    /// The environment that points a function (or a producer) at the emulator, the standard way.
    pub fn environment(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_REGION", self.region.as_str()),
            ("AWS_DEFAULT_REGION", self.region.as_str()),
            ("AWS_ACCESS_KEY_ID", TEST_KEY),
            ("AWS_SECRET_ACCESS_KEY", TEST_KEY),
            ("AWS_SESSION_TOKEN", TEST_KEY),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }

    /// Stops the server if the stack started it.
    pub async fn stop(self) {
        if let Some(mut server) = self.server {
            let _ = tokio::task::spawn_blocking(move || server.stop()).await;
        }
    }
}

/// A service the emulator does not offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingService {
    /// Its IAM prefix (`ses`): the functions whose permissions name it cannot run.
    pub iam_prefix: String,
    /// Its name for people (`SES v2`).
    pub name: String,
    /// What the emulator answered, as `<status> <code>: <message>`.
    pub answer: String,
}

/// The answer, when `error` is an emulator saying it has no such API: HTTP 404 or 501, or a
/// message saying the operation is unknown or not emulated (LocalStack answers SES v2 with 501
/// InternalFailure "…has not yet been emulated by LocalStack", and some routes with 500
/// "…unknown operation…"). Any other error is not that.
fn absent_api_answer<E>(error: &SdkError<E, HttpResponse>) -> Option<String>
where
    E: ProvideErrorMetadata,
{
    let SdkError::ServiceError(service_error) = error else {
        return None;
    };
    let status = service_error.raw().status().as_u16();
    let code = service_error.err().code().unwrap_or_default();
    let message = service_error.err().message().unwrap_or_default();
    says_api_is_absent(status, code, message).then(|| format!("{status} {code}: {message}"))
}

/// Whether an answer says the API does not exist in this emulator (see [`absent_api_answer`]).
pub fn says_api_is_absent(status: u16, code: &str, message: &str) -> bool {
    const ABSENT: &[&str] = &[
        "not yet been emulated",
        "not implemented",
        "notimplemented",
        "unknown operation",
        "unable to find operation",
    ];
    let text = format!("{code} {message}").to_ascii_lowercase();
    status == 404 || status == 501 || ABSENT.iter().any(|marker| text.contains(marker))
}

/// `LocalStack` when the endpoint answers LocalStack's health route, `the emulator` otherwise.
async fn name_of(endpoint: &str) -> String {
    let health = format!("{endpoint}/_localstack/health");
    match http_client::request("GET", &health, &[], &[], Duration::from_secs(5)).await {
        Ok(reply) if reply.status == 200 => "LocalStack".to_owned(),
        _ => "the emulator".to_owned(),
    }
}

/// The project's moto server: `.tools/venv/bin/moto_server` under `project`.
pub fn project_moto(project: &Path) -> PathBuf {
    project.join(".tools/venv/bin/moto_server")
}

#[cfg(test)]
mod tests {
    use super::says_api_is_absent;

    #[test]
    fn localstacks_answer_for_an_api_it_does_not_emulate_is_absence() {
        let message = "The API for service sesv2 is either not included in your current license plan or has not yet been emulated by LocalStack.";
        assert!(says_api_is_absent(501, "InternalFailure", message));
        assert!(says_api_is_absent(
            500,
            "InternalError",
            "exception while calling sesv2 with unknown operation: Unable to find operation for request"
        ));
        assert!(says_api_is_absent(404, "", ""));
    }

    #[test]
    fn an_ordinary_service_error_is_not_absence() {
        assert!(!says_api_is_absent(
            400,
            "BadRequestException",
            "page size too large"
        ));
        assert!(!says_api_is_absent(500, "InternalError", "something broke"));
        assert!(!says_api_is_absent(403, "AccessDenied", "not allowed"));
    }
}
