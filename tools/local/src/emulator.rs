//! The emulator the stack's resources live in: moto's server, started on a free loopback port
//! and stopped with the stack, or an endpoint the user already runs (LocalStack, a shared moto).

use crate::moto::{MotoError, MotoServer};
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use std::path::{Path, PathBuf};

/// The credentials every local client and function uses: emulators accept any.
pub const TEST_KEY: &str = "testing";

/// A running emulator.
pub struct Emulator {
    endpoint: String,
    region: String,
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
        Ok(Emulator {
            endpoint,
            region: region.to_owned(),
            server: None,
        })
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

/// The project's moto server: `.tools/venv/bin/moto_server` under `project`.
pub fn project_moto(project: &Path) -> PathBuf {
    project.join(".tools/venv/bin/moto_server")
}
