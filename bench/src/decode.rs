//! Memory of decoding a response body: ours (`decode_response` of AOM `ListAlarmRule`,
//! generated models) against the floor, `serde_json::from_slice` into equivalent
//! serde-derived structs, on the same body, each in a fresh process.
//!
//! `decode-body <realistic|unknown> <bytes> <file>` writes a body: rules with every field
//! filled (realistic), or rules of a few known fields among many the model does not have
//! (unknown). `decode <ours|serde> <file>` reads it (one exact allocation), resets the
//! peak RSS (`/proc/self/clear_refs`), decodes, and reports the peak RSS and peak heap
//! over what was resident before decoding.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use hwcloud::aom::ListAlarmRuleRequest;
use hwcloud_runtime::operation::decode_response;
use serde::Deserialize;

use crate::result;

/// The system allocator, counting live and peak heap bytes while `COUNTING` is on.
pub struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && COUNTING.load(Ordering::Relaxed) {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

/// Writes a body of about `bytes` bytes of `kind` to `out`.
pub fn write_body(kind: &str, bytes: usize, out: &Path) -> Result<(), String> {
    let rule: fn(usize, &mut String) = match kind {
        "realistic" => realistic_rule,
        "unknown" => unknown_rule,
        other => return Err(format!("unknown body kind {other:?} (realistic, unknown)")),
    };
    let mut body = String::with_capacity(bytes + 4096);
    body.push_str(r#"{"meta_data":{"count":0,"start":null,"total":0},"thresholds":["#);
    let mut i = 0;
    while body.len() < bytes {
        if i > 0 {
            body.push(',');
        }
        rule(i, &mut body);
        i += 1;
    }
    body.push_str("]}");
    std::fs::write(out, body).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// A rule as AOM documents it, every field filled.
fn realistic_rule(i: usize, out: &mut String) {
    let _ = write!(
        out,
        r#"{{"action_enabled":{},"alarm_actions":["urn:smn:cn-north-4:2a473356cca5487f8373be891bffc1cf:alarm-{i}"],"alarm_advice":"Check the load of instance {i} and scale out","alarm_description":"CPU usage of the shop service above the threshold","alarm_level":"{}","alarm_rule_id":"{}","alarm_rule_name":"cpu-usage-high-{i}","comparison_operator":">=","dimensions":[{{"name":"appName","value":"shop-{i}"}},{{"name":"clusterId","value":"4ba8008c-a4b6-11ee-8f52-0255ac100b04"}}],"evaluation_periods":{},"id_turn_on":true,"insufficient_data_actions":[],"metric_name":"cpuUsage","namespace":"PAAS.CONTAINER","ok_actions":["urn:smn:cn-north-4:2a473356cca5487f8373be891bffc1cf:ok-{i}"],"period":60000,"policy_name":"policy-{i}","resources":[],"state_reason":"","state_updated_timestamp":"{}","state_value":"alarm","statistic":"average","threshold":"{}","type":"single","unit":"Percent"}}"#,
        i.is_multiple_of(2),
        1 + i % 4,
        1_000_000 + i,
        1 + i % 5,
        1_700_000_000_000_u64 + i as u64,
        50 + i % 50,
    );
}

/// A rule with four fields the model has among many it does not (as a service that
/// added fields since the document was written would send).
fn unknown_rule(i: usize, out: &mut String) {
    let _ = write!(
        out,
        r#"{{"alarm_rule_id":"{}","alarm_rule_name":"cpu-usage-high-{i}","metric_name":"cpuUsage","period":60000,"event_extension":{{"labels":{{"app":"shop-{i}","tier":"backend","owner":"team-{}"}},"annotations":["created by console","migrated from v1 rules","{i}"],"route":{{"receivers":["email","sms","webhook"],"group_wait_seconds":30,"repeat_interval_seconds":3600}}}},"history":[{{"state":"ok","at":1700000000000}},{{"state":"alarm","at":1700000060000}},{{"state":"ok","at":1700000120000}}],"trigger_conditions":[{{"metric":"cpuUsage","operator":">=","threshold":80.5,"count":3}},{{"metric":"memUsage","operator":">=","threshold":90.0,"count":5}}],"template_id":"tpl-{}","enterprise_project_id":"0","notification_policy":{{"mode":"silence","windows":[{{"from":"00:00","to":"06:00"}}]}},"tags":[{{"key":"env","value":"prod"}},{{"key":"cost-center","value":"cc-{}"}}],"description_i18n":{{"zh-cn":"CPU 使用率过高","en-us":"CPU usage too high"}}}}"#,
        1_000_000 + i,
        i % 13,
        i % 97,
        i % 7,
    );
}

/// Resident and peak resident set, in KiB, from `/proc/self/status`.
fn rss_kib() -> Result<(u64, u64), String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .ok_or_else(|| format!("no {name} in /proc/self/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// Decodes the body in `file` with `side` and reports what decoding added to memory.
pub fn run(side: &str, file: &Path) -> Result<(), String> {
    let body = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let body = Bytes::from(body);
    // The peak so far (reading the file) is not decoding's: start counting from here.
    std::fs::write("/proc/self/clear_refs", "5")
        .map_err(|e| format!("cannot reset the peak RSS: {e}"))?;
    let (base_rss, _) = rss_kib()?;
    COUNTING.store(true, Ordering::SeqCst);
    let start = Instant::now();
    let rules = match side {
        "ours" => ours(body.clone())?,
        "serde" => floor(&body)?,
        other => return Err(format!("unknown side {other:?} (ours, serde)")),
    };
    let elapsed = start.elapsed();
    COUNTING.store(false, Ordering::SeqCst);
    let (_, peak_rss) = rss_kib()?;
    result("decode_rules", rules);
    result("decode_body_bytes", body.len());
    result("decode_base_rss_kib", base_rss);
    result("decode_peak_rss_kib", peak_rss);
    result("decode_rss_increase_kib", peak_rss.saturating_sub(base_rss));
    result("decode_peak_heap_bytes", PEAK.load(Ordering::SeqCst));
    result("decode_ns", elapsed.as_nanos());
    Ok(())
}

/// Ours: what the client does with a 200 answer of `ListAlarmRule`. Keeps the output alive
/// until the peak is read.
fn ours(body: Bytes) -> Result<usize, String> {
    let response = http::Response::builder()
        .status(200)
        .body(body)
        .map_err(|e| e.to_string())?;
    let output = decode_response::<ListAlarmRuleRequest>(response).map_err(|e| e.to_string())?;
    let rules = output.body.thresholds.as_ref().map_or(0, Vec::len);
    std::hint::black_box(&output);
    Ok(rules)
}

/// The floor: serde_json's derive on the same shapes.
fn floor(body: &[u8]) -> Result<usize, String> {
    let result: SerdeResult = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let rules = result.thresholds.as_ref().map_or(0, Vec::len);
    std::hint::black_box(&result);
    Ok(rules)
}

// The generated models' shapes, derived: same field types, so the same sizes.

#[derive(Deserialize)]
#[allow(dead_code)]
struct SerdeResult {
    meta_data: Option<SerdeMetaData>,
    thresholds: Option<Vec<SerdeRule>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SerdeMetaData {
    count: Option<i32>,
    start: Option<String>,
    total: Option<i32>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SerdeDimension {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SerdeRule {
    action_enabled: Option<bool>,
    alarm_actions: Option<Vec<String>>,
    alarm_advice: Option<String>,
    alarm_description: Option<String>,
    alarm_level: Option<String>,
    alarm_rule_id: Option<String>,
    alarm_rule_name: Option<String>,
    comparison_operator: Option<String>,
    dimensions: Option<Vec<SerdeDimension>>,
    evaluation_periods: Option<i32>,
    id_turn_on: Option<bool>,
    insufficient_data_actions: Option<Vec<String>>,
    metric_name: Option<String>,
    namespace: Option<String>,
    ok_actions: Option<Vec<String>>,
    period: Option<i32>,
    policy_name: Option<String>,
    resources: Option<Vec<String>>,
    state_reason: Option<String>,
    state_updated_timestamp: Option<String>,
    state_value: Option<String>,
    statistic: Option<String>,
    threshold: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    unit: Option<String>,
}
