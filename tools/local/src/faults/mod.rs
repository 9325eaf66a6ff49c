//! Fault injection for the local stack (`paperflow local --faults SPEC --seed N`): the
//! functions' AWS calls go through a proxy in front of the emulator that, call by call and with
//! the probabilities of a [`FaultSpec`], answers the service's own throttling or 5xx error,
//! resets the connection before the request reaches the emulator, delays it, or lets it reach
//! the emulator and succeed and then loses the answer. The stack's own provisioning and the
//! observers talk to the emulator directly.
//!
//! The draws come from one ChaCha8 generator seeded with N, taken in the order calls arrive: the
//! same seed and the same order of calls replay the same faults. Every injected fault is one
//! JSON line in the fault log (`call`, `service`, `operation`, `resource`, `target` — the key,
//! the event's subject or the e-mail's subject — and `kind`), so that an account of a run can
//! say which outcomes a fault explains.
//!
//! This module only decides and shapes faults; it never changes what the emulator stores.

pub mod answers;
pub mod call;
pub mod kill;
pub mod log;
pub mod proxy;
pub mod spec;

pub use kill::KillSwitch;
pub use log::FaultLog;
pub use proxy::FaultProxy;
pub use spec::{FaultKind, FaultSpec, SpecError};
