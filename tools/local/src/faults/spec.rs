//! The fault specification of `paperflow local --faults SPEC`: which faults, how often, for
//! which service and operation.
//!
//! ```text
//! SPEC    := RULE (';' RULE)*
//! RULE    := TARGET ':' SETTING (',' SETTING)*
//! TARGET  := '*' | SERVICE | SERVICE '.' OPERATION        s3, sns, sqs, ses; PutObject, Publish, …
//! SETTING := KIND '=' PROBABILITY | 'latency=' DURATION '@' PROBABILITY
//! KIND    := throttle | error | reset | lost
//! ```
//!
//! `throttle` answers the service's own throttling error, `error` its 5xx, `reset` resets the
//! connection before the request reaches the emulator, `lost` lets the request reach the
//! emulator and succeed and then resets the connection instead of answering. `latency` delays
//! the request before anything else happens. Probabilities are between 0 and 1, durations
//! `250ms` or `2s`.
//!
//! A call takes each setting from its most specific rule that names it: `s3.PutObject`, then
//! `s3`, then `*`. So `*:error=0.1;s3.PutObject:lost=0.05` gives S3's PutObject both. For every
//! call the four kinds' probabilities must add up to at most 1: one call gets one of them.

use std::collections::BTreeMap;
use std::time::Duration;

/// The services whose calls the proxy recognises, by their SigV4 signing name.
pub const SERVICES: &[&str] = &["s3", "sns", "sqs", "ses"];

/// What happens to one call, instead of or besides its normal course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// The service's throttling answer (S3 `SlowDown`, SNS `Throttling`, …); nothing is forwarded.
    Throttle,
    /// The service's 5xx answer (S3 `InternalError`, `ServiceUnavailable`); nothing is forwarded.
    Error,
    /// The connection is reset before the request reaches the emulator.
    Reset,
    /// The request reaches the emulator and succeeds; the connection is then reset, so the
    /// caller sees a failure of a call that took effect.
    Lost,
    /// The request is delayed before it goes on (alone, or before another fault).
    Latency,
}

impl FaultKind {
    /// The kinds that decide a call's outcome, in the order a draw walks them.
    pub const OUTCOMES: [FaultKind; 4] = [
        FaultKind::Throttle,
        FaultKind::Error,
        FaultKind::Reset,
        FaultKind::Lost,
    ];

    /// The name used in SPEC and in the fault log.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::Error => "error",
            FaultKind::Reset => "reset",
            FaultKind::Lost => "lost",
            FaultKind::Latency => "latency",
        }
    }

    fn outcome_named(name: &str) -> Option<FaultKind> {
        FaultKind::OUTCOMES
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// The settings one rule states; `None` leaves a setting to a less specific rule.
#[derive(Clone, Debug, Default, PartialEq)]
struct RuleSettings {
    outcomes: BTreeMap<FaultKind, f64>,
    latency: Option<(Duration, f64)>,
}

/// The faults that apply to one call, every setting resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallFaults {
    /// Probability of each outcome kind (throttle, error, reset, lost); absent is 0.
    pub outcomes: BTreeMap<FaultKind, f64>,
    /// The added delay and its probability.
    pub latency: Option<(Duration, f64)>,
}

impl CallFaults {
    /// The outcome a uniform draw `u` in [0, 1) picks: the kinds' probabilities laid end to end
    /// in [`FaultKind::OUTCOMES`] order; `None` past their sum.
    pub fn outcome_for(&self, u: f64) -> Option<FaultKind> {
        let mut upper = 0.0;
        for kind in FaultKind::OUTCOMES {
            upper += self.outcomes.get(&kind).copied().unwrap_or(0.0);
            if u < upper {
                return Some(kind);
            }
        }
        None
    }

    /// The delay a uniform draw `u` in [0, 1) adds.
    pub fn latency_for(&self, u: f64) -> Option<Duration> {
        self.latency
            .filter(|(_, probability)| u < *probability)
            .map(|(delay, _)| delay)
    }

    fn total(&self) -> f64 {
        self.outcomes.values().sum()
    }
}

/// A parsed SPEC: rules by target (`*`, `s3`, `s3.PutObject`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    rules: BTreeMap<String, RuleSettings>,
}

/// A SPEC that cannot be used, naming the part and the rule it breaks.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("--faults: {part:?}: {rule}")]
pub struct SpecError {
    /// The part of SPEC at fault (a rule, a target, a setting).
    pub part: String,
    /// What it should be.
    pub rule: String,
}

fn spec_error(part: &str, rule: impl Into<String>) -> SpecError {
    SpecError {
        part: part.to_owned(),
        rule: rule.into(),
    }
}

impl FaultSpec {
    /// Parses SPEC (see the module's documentation).
    ///
    /// # Errors
    ///
    /// The first part that breaks the grammar, an unknown service or kind, a probability
    /// outside [0, 1], a target named twice, or probabilities that add up to more than 1 for
    /// some call.
    pub fn parse(spec: &str) -> Result<FaultSpec, SpecError> {
        let mut rules = BTreeMap::new();
        for rule in spec
            .split(';')
            .map(str::trim)
            .filter(|rule| !rule.is_empty())
        {
            let (target, settings) = rule
                .split_once(':')
                .ok_or_else(|| spec_error(rule, "expected TARGET:SETTING,… (s3:error=0.1)"))?;
            let target = target.trim();
            check_target(target)?;
            let parsed = parse_settings(settings)?;
            if parsed == RuleSettings::default() {
                return Err(spec_error(rule, "states no setting"));
            }
            if rules.insert(target.to_owned(), parsed).is_some() {
                return Err(spec_error(target, "is named by two rules; state it once"));
            }
        }
        let spec = FaultSpec { rules };
        for target in spec.rules.keys() {
            let (service, operation) = split_target(target);
            let faults = spec.for_call(service.unwrap_or("*"), operation.unwrap_or("*"));
            if faults.total() > 1.0 + 1e-9 {
                return Err(spec_error(
                    target,
                    format!(
                        "its throttle, error, reset and lost probabilities (with those it inherits from less specific rules) add up to {:.3}; at most 1",
                        faults.total()
                    ),
                ));
            }
        }
        Ok(spec)
    }

    /// True when no rule injects anything.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The faults of a call to `operation` of `service`: each setting from the most specific
    /// rule that states it.
    pub fn for_call(&self, service: &str, operation: &str) -> CallFaults {
        let mut faults = CallFaults::default();
        let targets = [
            "*".to_owned(),
            service.to_owned(),
            format!("{service}.{operation}"),
        ];
        for target in &targets {
            if let Some(rule) = self.rules.get(target) {
                faults.outcomes.extend(rule.outcomes.iter());
                if rule.latency.is_some() {
                    faults.latency = rule.latency;
                }
            }
        }
        faults
    }
}

/// `s3.PutObject` → (Some("s3"), Some("PutObject")); `*` → (None, None).
fn split_target(target: &str) -> (Option<&str>, Option<&str>) {
    if target == "*" {
        return (None, None);
    }
    match target.split_once('.') {
        Some((service, operation)) => (Some(service), Some(operation)),
        None => (Some(target), None),
    }
}

fn check_target(target: &str) -> Result<(), SpecError> {
    let (service, operation) = split_target(target);
    if let Some(service) = service
        && !SERVICES.contains(&service)
    {
        return Err(spec_error(
            target,
            format!(
                "unknown service; expected * or one of {}",
                SERVICES.join(", ")
            ),
        ));
    }
    if let Some(operation) = operation
        && (operation.is_empty() || !operation.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(spec_error(
            target,
            "the operation must be an API name such as PutObject",
        ));
    }
    Ok(())
}

fn parse_settings(settings: &str) -> Result<RuleSettings, SpecError> {
    let mut parsed = RuleSettings::default();
    for setting in settings.split(',').map(str::trim) {
        let (name, value) = setting
            .split_once('=')
            .ok_or_else(|| spec_error(setting, "expected KIND=PROBABILITY (error=0.1)"))?;
        let name = name.trim();
        if name == "latency" {
            let (delay, probability) = value.split_once('@').ok_or_else(|| {
                spec_error(
                    setting,
                    "expected latency=DURATION@PROBABILITY (latency=50ms@0.1)",
                )
            })?;
            parsed.latency = Some((
                parse_duration(setting, delay)?,
                parse_probability(setting, probability)?,
            ));
        } else if let Some(kind) = FaultKind::outcome_named(name) {
            if parsed
                .outcomes
                .insert(kind, parse_probability(setting, value)?)
                .is_some()
            {
                return Err(spec_error(setting, "this kind is set twice in one rule"));
            }
        } else {
            return Err(spec_error(
                setting,
                "unknown kind; expected throttle, error, reset, lost or latency",
            ));
        }
    }
    Ok(parsed)
}

fn parse_probability(setting: &str, value: &str) -> Result<f64, SpecError> {
    match value.trim().parse::<f64>() {
        Ok(probability) if (0.0..=1.0).contains(&probability) => Ok(probability),
        _ => Err(spec_error(
            setting,
            "the probability must be a number from 0 to 1",
        )),
    }
}

fn parse_duration(setting: &str, value: &str) -> Result<Duration, SpecError> {
    let value = value.trim();
    let parsed = if let Some(ms) = value.strip_suffix("ms") {
        ms.parse::<u64>().ok().map(Duration::from_millis)
    } else if let Some(s) = value.strip_suffix('s') {
        s.parse::<u64>().ok().map(Duration::from_secs)
    } else {
        None
    };
    parsed
        .filter(|delay| *delay <= Duration::from_secs(60))
        .ok_or_else(|| {
            spec_error(
                setting,
                "the delay must be whole milliseconds or seconds up to 60 s (50ms, 2s)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_rule_wins_setting_by_setting() {
        let spec = FaultSpec::parse("*:error=0.1,reset=0.02;s3:error=0.2;s3.PutObject:lost=0.05")
            .expect("a valid spec");
        let put = spec.for_call("s3", "PutObject");
        assert_eq!(put.outcomes[&FaultKind::Error], 0.2);
        assert_eq!(put.outcomes[&FaultKind::Reset], 0.02);
        assert_eq!(put.outcomes[&FaultKind::Lost], 0.05);
        let publish = spec.for_call("sns", "Publish");
        assert_eq!(publish.outcomes[&FaultKind::Error], 0.1);
        assert!(!publish.outcomes.contains_key(&FaultKind::Lost));
    }

    #[test]
    fn a_draw_picks_the_kinds_laid_end_to_end() {
        let faults =
            FaultSpec::parse("s3:throttle=0.1,error=0.1,reset=0.1,lost=0.1,latency=20ms@0.5")
                .expect("a valid spec")
                .for_call("s3", "GetObject");
        assert_eq!(faults.outcome_for(0.05), Some(FaultKind::Throttle));
        assert_eq!(faults.outcome_for(0.15), Some(FaultKind::Error));
        assert_eq!(faults.outcome_for(0.25), Some(FaultKind::Reset));
        assert_eq!(faults.outcome_for(0.35), Some(FaultKind::Lost));
        assert_eq!(faults.outcome_for(0.45), None);
        assert_eq!(faults.latency_for(0.4), Some(Duration::from_millis(20)));
        assert_eq!(faults.latency_for(0.6), None);
    }

    #[test]
    fn every_bad_part_is_named_with_its_rule() {
        let cases = [
            ("s4:error=0.1", "s4", "unknown service"),
            ("s3:eror=0.1", "eror=0.1", "unknown kind"),
            ("s3:error=1.5", "error=1.5", "from 0 to 1"),
            ("s3:error", "error", "KIND=PROBABILITY"),
            ("s3 error=0.1", "s3 error=0.1", "TARGET:SETTING"),
            (
                "s3:latency=50@0.1",
                "latency=50@0.1",
                "milliseconds or seconds",
            ),
            ("s3:latency=50ms", "latency=50ms", "DURATION@PROBABILITY"),
            ("s3.Put-Object:error=0.1", "s3.Put-Object", "API name"),
            ("s3:error=0.1;s3:lost=0.1", "s3", "two rules"),
            ("s3:error=0.1,error=0.2", "error=0.2", "set twice"),
            ("*:error=0.6;sns:lost=0.5", "sns", "add up to 1.100"),
        ];
        for (spec, part, rule) in cases {
            let error = FaultSpec::parse(spec).expect_err(spec);
            assert_eq!(error.part, part, "{spec}");
            assert!(error.rule.contains(rule), "{spec}: {error}");
        }
    }
}
