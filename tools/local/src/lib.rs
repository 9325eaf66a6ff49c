//! The local stack: paperflow's whole topology on one machine, from the same SAM template that
//! deploys it, with no AWS account and no Docker.
//!
//! `cargo lambda watch` runs functions, but nothing locally does what AWS does *between* a queue
//! or a topic and a function. This crate does:
//!
//! - [`template`] reads `infra/sam/template.yaml` and resolves its intrinsics into a
//!   [`spec::StackSpec`];
//! - [`provision`] creates its buckets, topics, queues (with redrive) and subscriptions (with
//!   filter policies and raw delivery) in the emulator (moto's server, or one the user names);
//! - [`runtime`] builds the functions and runs them under `cargo lambda watch`, each with the
//!   environment the template gives it;
//! - [`sqs`], [`sns`] and [`http_api`] are the event source mappings and the API's front door:
//!   they turn messages and HTTP requests into Lambda events the way AWS documents it;
//! - [`stack`] starts all of that, reports through [`progress`], and tears it down.

pub mod invoke;
pub mod progress;
pub mod spec;
