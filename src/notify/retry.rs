//! The retry policy of a delivery: how many attempts, how long to wait between
//! them, how long one attempt may take, and the deadline of the whole
//! notification phase.
//!
//! The policy is plain data and [`deliver_with_retries`] takes the attempt as
//! a closure, so the schedule is the same for every channel and is tested
//! without a network.

use std::time::{Duration, Instant};

/// The longest `Retry-After` that is honoured; a server asking for more gets
/// this much (and the notification deadline still applies).
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before each retry; attempts = `delays.len() + 1`.
    pub delays: Vec<Duration>,
    pub attempt_timeout: Duration,
    pub deadline: Duration,
    pub retry_after_cap: Duration,
}

impl RetryPolicy {
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.delays.len()).map_or(u32::MAX, |n| n.saturating_add(1))
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered { status: u16 },
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// Why, in words, with nothing secret in it.
    pub reason: String,
    pub retryable: bool,
    /// The server's `Retry-After`, in seconds form only.
    pub retry_after: Option<Duration>,
}

/// The end of a channel's delivery: the last attempt and how many were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub last: Attempt,
    pub attempts: u32,
}

/// Runs `attempt` until it delivers, fails for good, runs out of attempts or
/// would cross the deadline (counted from `started`, shared by all channels).
/// `attempt` gets the time-out for this attempt: the per-attempt time-out, or
/// less when the deadline is nearer. `progress` gets one line per failed attempt
/// that will be retried, saying why and when the next attempt starts.
pub fn deliver_with_retries(
    policy: &RetryPolicy,
    started: Instant,
    mut attempt: impl FnMut(Duration) -> Attempt,
    mut progress: impl FnMut(String),
) -> Finished {
    let total = policy.attempts();
    let mut number = 0;
    loop {
        let Some(remaining) = policy
            .deadline
            .checked_sub(started.elapsed())
            .filter(|r| !r.is_zero())
        else {
            return deadline_reached(policy, number);
        };
        number += 1;
        let last = attempt(policy.attempt_timeout.min(remaining));
        let failure = match &last {
            Attempt::Delivered { .. } => return finished(last, number),
            Attempt::Failed(f) => f,
        };
        let Some(delay) = policy.delays.get(number as usize - 1) else {
            return finished(last, number);
        };
        if !failure.retryable {
            return finished(last, number);
        }
        let asked = failure
            .retry_after
            .map(|asked| asked.min(policy.retry_after_cap))
            .filter(|asked| asked > delay);
        let wait = asked.unwrap_or(*delay);
        if started.elapsed() + wait >= policy.deadline {
            let mut last = failure.clone();
            last.reason = format!(
                "{}; not retried: the next attempt would start after the notification deadline ({})",
                last.reason,
                human(policy.deadline)
            );
            return finished(Attempt::Failed(last), number);
        }
        progress(format!(
            "attempt {number} of {total} failed: {}; attempt {} starts in {}{}",
            failure.reason,
            number + 1,
            human(wait),
            if asked.is_some() {
                " (as the server's Retry-After asked)"
            } else {
                ""
            }
        ));
        std::thread::sleep(wait);
    }
}

fn finished(last: Attempt, attempts: u32) -> Finished {
    Finished { last, attempts }
}

fn deadline_reached(policy: &RetryPolicy, attempts: u32) -> Finished {
    Finished {
        last: Attempt::Failed(Failure {
            status: None,
            reason: format!(
                "the notification deadline ({}) was reached",
                human(policy.deadline)
            ),
            retryable: false,
            retry_after: None,
        }),
        attempts,
    }
}

/// Parses `500ms`, `5s`, `2m`, `1h`, `1.5s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "`{text}` is not a duration: write a number and a unit, e.g. 500ms, 5s, 2m"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: e.g. 500ms, 5s, 2m"))?;
    Duration::try_from_secs_f64(value * scale)
        .map_err(|_| format!("`{text}` is out of range for a duration"))
}

/// A duration as people write it: `500ms`, `5s`, `1.5s`, `2m`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(retryable: bool, retry_after: Option<Duration>) -> Attempt {
        Attempt::Failed(Failure {
            status: Some(500),
            reason: "HTTP 500".into(),
            retryable,
            retry_after,
        })
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            delays: vec![Duration::from_millis(10), Duration::from_millis(10)],
            attempt_timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(5),
            retry_after_cap: Duration::from_millis(200),
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration(" 250ms "), Ok(Duration::from_millis(250)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
        assert_eq!(human(Duration::from_millis(50)), "50ms");
        assert_eq!(human(Duration::from_secs(25)), "25s");
        assert_eq!(human(Duration::from_secs(120)), "2m");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_millis(999)), "999ms");
        assert_eq!(human(Duration::from_millis(1000)), "1s");
        assert_eq!(human(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn retries_until_delivered_and_reports_each_wait() {
        let mut answers = vec![
            fail(true, None),
            fail(true, None),
            Attempt::Delivered { status: 200 },
        ]
        .into_iter();
        let mut lines = Vec::new();
        let done = deliver_with_retries(
            &quick(),
            Instant::now(),
            |_| answers.next().unwrap(),
            |l| lines.push(l),
        );
        assert_eq!(done.attempts, 3);
        assert_eq!(done.last, Attempt::Delivered { status: 200 });
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "attempt 1 of 3 failed: HTTP 500; attempt 2 starts in 10ms"
        );
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        let mut calls = 0;
        let done = deliver_with_retries(
            &quick(),
            Instant::now(),
            |_| {
                calls += 1;
                fail(false, None)
            },
            |_| {},
        );
        assert_eq!((calls, done.attempts), (1, 1));
    }

    #[test]
    fn stops_after_the_last_delay() {
        let mut calls = 0;
        let done = deliver_with_retries(
            &quick(),
            Instant::now(),
            |_| {
                calls += 1;
                fail(true, None)
            },
            |_| {},
        );
        assert_eq!((calls, done.attempts), (3, 3));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let started = Instant::now();
        let mut answers = vec![
            fail(true, Some(Duration::from_secs(3600))),
            Attempt::Delivered { status: 200 },
        ]
        .into_iter();
        let mut lines = Vec::new();
        let done = deliver_with_retries(
            &quick(),
            started,
            |_| answers.next().unwrap(),
            |l| lines.push(l),
        );
        assert_eq!(done.attempts, 2);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(200) && waited < Duration::from_secs(2),
            "{waited:?}"
        );
        assert!(
            lines[0].contains("starts in 200ms (as the server's Retry-After asked)"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn a_longer_configured_delay_wins_over_a_short_retry_after() {
        let policy = RetryPolicy {
            delays: vec![Duration::from_millis(300)],
            ..quick()
        };
        let started = Instant::now();
        let mut answers = vec![
            fail(true, Some(Duration::from_millis(1))),
            Attempt::Delivered { status: 200 },
        ]
        .into_iter();
        let mut lines = Vec::new();
        deliver_with_retries(
            &policy,
            started,
            |_| answers.next().unwrap(),
            |l| lines.push(l),
        );
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            lines[0],
            "attempt 1 of 2 failed: HTTP 500; attempt 2 starts in 300ms"
        );
    }

    #[test]
    fn a_retry_after_equal_to_the_delay_is_the_configured_wait() {
        let policy = RetryPolicy {
            delays: vec![Duration::from_millis(50)],
            ..quick()
        };
        let mut answers = vec![
            fail(true, Some(Duration::from_millis(50))),
            Attempt::Delivered { status: 200 },
        ]
        .into_iter();
        let mut lines = Vec::new();
        deliver_with_retries(
            &policy,
            Instant::now(),
            |_| answers.next().unwrap(),
            |l| lines.push(l),
        );
        assert_eq!(
            lines,
            ["attempt 1 of 2 failed: HTTP 500; attempt 2 starts in 50ms"]
        );
    }

    #[test]
    fn the_deadline_shortens_the_last_time_out_and_stops_waits_past_it() {
        let policy = RetryPolicy {
            delays: vec![Duration::from_millis(10), Duration::from_secs(10)],
            attempt_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(2),
            retry_after_cap: RETRY_AFTER_CAP,
        };
        let mut timeouts = Vec::new();
        let done = deliver_with_retries(
            &policy,
            Instant::now(),
            |t| {
                timeouts.push(t);
                fail(true, None)
            },
            |_| {},
        );
        assert_eq!(done.attempts, 2);
        assert!(timeouts.iter().all(|t| *t <= Duration::from_secs(2)));
        let Attempt::Failed(f) = done.last else {
            panic!("delivered?")
        };
        assert!(
            f.reason.contains("notification deadline (2s)"),
            "{}",
            f.reason
        );
    }
}
