//! The local stack: paperflow's whole topology on one machine, from the same SAM template that
//! deploys it, with no AWS account and no Docker.
//!
//! `cargo lambda watch` runs functions, but nothing locally does what AWS does *between* a queue
//! or a topic and a function. This crate does:
//!
//! - [`template`] reads `infra/sam/template.yaml` and resolves its intrinsics into a
//!   [`spec::StackSpec`];
//! - [`provision`] creates its buckets, topics, queues (with redrive) and subscriptions (with
//!   filter policies and raw delivery) in the emulator (moto's server, or one the user names,
//!   such as LocalStack, which [`localstack`] starts for the tests);
//! - [`runtime`] builds the functions and runs them under `cargo lambda watch`, each with the
//!   environment the template gives it, and rebuilds them when their [`sources`] change;
//! - [`sqs`], [`sns`] and [`http_api`] are the event source mappings and the API's front door:
//!   they turn messages and HTTP requests into Lambda events the way AWS documents it;
//! - [`faults`] puts a fault-injecting proxy between the functions and the emulator;
//! - [`stack`] starts all of that, reports through [`progress`], and tears it down.

pub mod emulator;
pub mod faults;
pub mod http_api;
pub mod http_client;
pub mod invoke;
pub mod localstack;
pub mod moto;
pub mod process;
pub mod progress;
pub mod provision;
pub mod runtime;
pub mod sns;
pub mod sources;
pub mod spec;
pub mod sqs;
pub mod stack;
pub mod template;
pub mod work;

/// What every trigger (an SQS or SNS mapping, the HTTP API) is handed by the stack: the
/// functions to invoke, where to report each invocation, and when to stop.
#[derive(Clone)]
pub struct TriggerContext {
    /// Invokes the functions by their binary name.
    pub invoker: std::sync::Arc<dyn invoke::Invoke>,
    /// Where every invocation and every trouble is reported.
    pub reporter: progress::Reporter,
    /// Asks the trigger to finish what it holds and return.
    pub shutdown: Shutdown,
}

/// Tells the long-running parts of the stack (pollers, the HTTP front) to stop: they finish the
/// invocation in hand, give back what they have not started, and return.
#[derive(Clone)]
pub struct Shutdown(tokio::sync::watch::Receiver<bool>);

/// The sending side of [`Shutdown`].
pub struct ShutdownTrigger(tokio::sync::watch::Sender<bool>);

impl Shutdown {
    /// A new shutdown signal and its trigger.
    pub fn new() -> (ShutdownTrigger, Shutdown) {
        let (sender, receiver) = tokio::sync::watch::channel(false);
        (ShutdownTrigger(sender), Shutdown(receiver))
    }

    /// True once shutdown was asked for (or its trigger is gone).
    pub fn is_requested(&self) -> bool {
        *self.0.borrow() || self.0.has_changed().is_err()
    }

    /// Resolves when shutdown is asked for; use it in `tokio::select!` beside the work.
    pub async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

impl ShutdownTrigger {
    /// Asks every holder of the matching [`Shutdown`] to stop.
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}
