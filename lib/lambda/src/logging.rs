//! Logging for a Lambda function.
//!
//! The subscriber `lambda_runtime::tracing::init_default_subscriber` would install, without its
//! `EnvFilter`: that filter brings a regex engine (`regex-automata`, `regex-syntax`) into every
//! function for directives no paperflow deployment uses. The level comes from the same
//! variables and the lines are the same; [`filter`] says what is left of `RUST_LOG`'s syntax.

use std::str::FromStr;
use tracing::Dispatch;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// Installs the tracing subscriber once per cold start: JSON lines when
/// `AWS_LAMBDA_LOG_FORMAT=JSON` (Lambda's advanced logging controls), plain text otherwise,
/// at the level of `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (INFO by default). Spans carry the
/// correlation id and the invoice id, so every line of one flow can be found together.
pub fn init() {
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let filter = filter(
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
        std::env::var("RUST_LOG").ok().as_deref(),
    );
    // As `init_default_subscriber`: a second installation is a bug of the caller.
    tracing::dispatcher::set_global_default(subscriber(json, filter, std::io::stdout))
        .expect("the tracing subscriber is installed once per process");
}

/// The subscriber [`init`] installs, writing to `writer`: without timestamps (Lambda adds
/// them) and without the event's target, JSON lines or plain text.
pub fn subscriber<W>(json: bool, filter: Targets, writer: W) -> Dispatch
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_writer(writer);
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        Dispatch::new(registry.with(lines.json()))
    } else {
        Dispatch::new(registry.with(lines))
    }
}

/// The filter of `lambda_runtime`'s default subscriber, for the directives that name a level
/// and optionally a target: `RUST_LOG`'s directives when it has any that parse
/// (`warn,paperflow_pipeline=debug`), otherwise the level of `AWS_LAMBDA_LOG_LEVEL`, else of
/// `RUST_LOG`, else INFO (an unknown level is INFO too). Directives that filter on spans or
/// fields (`[record]=debug`) are skipped, like any directive that does not parse.
pub fn filter(aws_lambda_log_level: Option<&str>, rust_log: Option<&str>) -> Targets {
    let directives: Vec<&str> = rust_log
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|directive| {
            !directive.is_empty()
                && !directive.contains(['[', ']', '{', '}'])
                && Targets::from_str(directive).is_ok()
        })
        .collect();
    if !directives.is_empty()
        && let Ok(targets) = Targets::from_str(&directives.join(","))
    {
        return targets;
    }
    let level = aws_lambda_log_level
        .or(rust_log)
        .and_then(|level| LevelFilter::from_str(level).ok())
        .unwrap_or(LevelFilter::INFO);
    Targets::new().with_default(level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    fn enabled(filter: &Targets, target: &str, level: Level) -> bool {
        filter.would_enable(target, &level)
    }

    /// A writer that keeps what it is given.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    fn log_through(dispatch: &Dispatch) {
        tracing::dispatcher::with_default(dispatch, || {
            let span = tracing::info_span!("record", message_id = "m-1");
            let _entered = span.enter();
            tracing::info!(pages = 1, "invoice PDF ready");
            tracing::debug!("not at INFO");
        });
    }

    #[test]
    fn the_same_lines_as_lambda_runtimes_default_subscriber() {
        for json in [true, false] {
            // lambda_runtime's subscriber, its EnvFilter at INFO aside.
            let expected = Captured::default();
            let builder = tracing_subscriber::fmt()
                .with_target(false)
                .without_time()
                .with_max_level(LevelFilter::INFO)
                .with_writer(expected.clone());
            log_through(&if json {
                Dispatch::new(builder.json().finish())
            } else {
                Dispatch::new(builder.finish())
            });
            let actual = Captured::default();
            log_through(&subscriber(json, filter(None, None), actual.clone()));
            let lines = |c: &Captured| String::from_utf8(c.0.lock().expect("ok").clone());
            assert_eq!(lines(&actual), lines(&expected));
            assert!(lines(&actual).expect("UTF-8").contains("invoice PDF ready"));
        }
    }

    #[test]
    fn info_by_default() {
        let filter = filter(None, None);
        assert!(enabled(
            &filter,
            "paperflow_pipeline::generate",
            Level::INFO
        ));
        assert!(!enabled(
            &filter,
            "paperflow_pipeline::generate",
            Level::DEBUG
        ));
    }

    #[test]
    fn the_lambda_level_then_rust_log_then_info() {
        assert!(enabled(&filter(Some("DEBUG"), None), "a", Level::DEBUG));
        assert!(!enabled(
            &filter(Some("WARN"), Some("warn")),
            "a",
            Level::INFO
        ));
        assert!(enabled(&filter(None, Some("trace")), "a", Level::TRACE));
        // Lambda's FATAL, or anything else no level filter knows: INFO.
        let unknown = filter(Some("FATAL"), None);
        assert!(enabled(&unknown, "a", Level::INFO));
        assert!(!enabled(&unknown, "a", Level::DEBUG));
    }

    #[test]
    fn rust_log_directives_by_target() {
        let filter = filter(Some("INFO"), Some("warn, paperflow_pipeline=debug"));
        assert!(enabled(
            &filter,
            "paperflow_pipeline::generate",
            Level::DEBUG
        ));
        assert!(!enabled(&filter, "aws_smithy_runtime::client", Level::INFO));
        assert!(enabled(&filter, "aws_smithy_runtime::client", Level::WARN));
    }

    #[test]
    fn directives_that_do_not_parse_are_skipped() {
        let filter = filter(None, Some("[record]=trace,paperflow_lambda=nonsense,debug"));
        assert!(enabled(&filter, "a", Level::DEBUG));
        assert!(!enabled(&filter, "a", Level::TRACE));
        let nothing_left = super::filter(None, Some("[record]=trace"));
        assert!(enabled(&nothing_left, "a", Level::INFO));
        assert!(!enabled(&nothing_left, "a", Level::DEBUG));
    }
}
