//! `docs/conformance.md`: what a run found, per service and per difference, rendered with
//! askama from `codegen/templates/conformance/report.md`.

use std::collections::BTreeMap;

use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::Plan;
use super::compare::{self, Difference, Recorded};

/// A checked-in explanation of a difference that is not ours to fix
/// (`xtask/conformance/explained.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The difference's aspect starts with this (`header content-type`, `body.`).
    pub aspect: String,
    #[serde(default)]
    pub service: Option<String>,
    /// The operations it is about (any when empty).
    #[serde(default)]
    pub operations: Vec<String>,
    /// Text one side's value contains.
    #[serde(default)]
    pub contains: Option<String>,
    pub explanation: String,
}

pub fn parse_explanations(text: &str) -> Result<Vec<Explanation>, String> {
    serde_yaml::from_str(text).map_err(|e| format!("explained.yaml: {e}"))
}

impl Explanation {
    /// Whether the entry is about every operation (a body-less request's content type, an
    /// error body shape the official SDK does not read) rather than named ones.
    fn is_general(&self) -> bool {
        self.service.is_none() && self.operations.is_empty()
    }

    fn matches(&self, service: &str, operation: &str, d: &Difference) -> bool {
        d.aspect.starts_with(&self.aspect)
            && self.service.as_deref().is_none_or(|s| s == service)
            && (self.operations.is_empty() || self.operations.iter().any(|o| o == operation))
            && self
                .contains
                .as_deref()
                .is_none_or(|c| d.rust.contains(c) || d.python.contains(c))
    }
}

/// What a run produced: the recorder's requests and both drivers' outcome lines.
#[derive(Debug, Default)]
pub struct Observed {
    pub requests: Vec<Recorded>,
    pub rust: Vec<Value>,
    pub python: Vec<Value>,
}

/// A control and the aspects the comparison reported for it.
#[derive(Debug, Clone)]
pub struct ControlResult {
    pub what: String,
    pub case: String,
    pub caught: Vec<String>,
}

/// The verdict on one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Equal,
    /// Every difference explained by an entry about every operation.
    EqualButGeneral,
    /// Every difference explained, at least one by an entry about this operation.
    Explained,
    Different,
    NotInSdk(String),
}

/// One difference of an operation, with the case and phase it was first seen in.
#[derive(Debug, Clone)]
pub struct Found {
    pub case: String,
    pub phase: String,
    pub difference: Difference,
    pub explanation: Option<String>,
    /// The explanation is about every operation.
    pub general: bool,
}

#[derive(Debug, Clone)]
pub struct OperationResult {
    pub service: String,
    pub operation: String,
    pub verdict: Verdict,
    pub differences: Vec<Found>,
    /// Values the official models have no attribute for (sent without them).
    pub unknown: Vec<String>,
}

type Key = (String, String);

fn key_of(v: &Value) -> Key {
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    (text("case"), text("phase"))
}

/// Compares every operation of the plan.
pub fn evaluate(
    plan: &Plan,
    observed: &Observed,
    explanations: &[Explanation],
) -> Vec<OperationResult> {
    let requests = |side: &str| -> BTreeMap<Key, &Recorded> {
        observed
            .requests
            .iter()
            .filter(|r| r.side == side)
            .map(|r| ((r.case.clone(), r.phase.clone()), r))
            .collect()
    };
    let (rust_requests, python_requests) = (requests("rust"), requests("python"));
    let lines = |lines: &[Value]| -> BTreeMap<Key, Value> {
        lines.iter().map(|v| (key_of(v), v.clone())).collect()
    };
    let (rust_lines, python_lines) = (lines(&observed.rust), lines(&observed.python));
    let mut results = Vec::new();
    for service in &plan.services {
        let cases: Vec<_> = plan
            .cases
            .iter()
            .filter(|c| c.service == service.module)
            .collect();
        for (operation, call) in &service.python {
            let op_cases: Vec<_> = cases.iter().filter(|c| &c.operation == operation).collect();
            let mut result = OperationResult {
                service: service.module.clone(),
                operation: operation.clone(),
                verdict: Verdict::Equal,
                differences: Vec::new(),
                unknown: Vec::new(),
            };
            if call.is_none() {
                let reason = service
                    .sdk
                    .as_ref()
                    .and_then(|s| {
                        s.operations
                            .get(operation)
                            .and_then(|o| o.absent.clone())
                            .or_else(|| s.reason.clone())
                    })
                    .unwrap_or_else(|| {
                        "the service is not in xtask/conformance/sdk_map.yaml".into()
                    });
                result.verdict = Verdict::NotInSdk(reason);
                results.push(result);
                continue;
            }
            // A run restricted with `--only` leaves the other operations out.
            let ran = op_cases.iter().any(|c| {
                c.responses.iter().any(|r| {
                    let key = (c.id.clone(), r.phase.clone());
                    rust_lines.contains_key(&key) || python_lines.contains_key(&key)
                })
            });
            if !ran {
                continue;
            }
            let mut seen = std::collections::BTreeSet::new();
            'cases: for case in op_cases {
                for canned in &case.responses {
                    let key = (case.id.clone(), canned.phase.clone());
                    let python = python_lines.get(&key);
                    if let Some(reason) = python
                        .and_then(|p| p["failed"].as_str())
                        .filter(|f| f.starts_with("absent:"))
                    {
                        result.verdict =
                            Verdict::NotInSdk(reason.trim_start_matches("absent: ").to_owned());
                        break 'cases;
                    }
                    for u in python
                        .and_then(|p| p["unknown"].as_array())
                        .into_iter()
                        .flatten()
                    {
                        let u = u.as_str().unwrap_or_default().to_owned();
                        if !result.unknown.contains(&u) {
                            result.unknown.push(u);
                        }
                    }
                    let mut found = Vec::new();
                    match (rust_requests.get(&key), python_requests.get(&key)) {
                        (Some(r), Some(p)) => found.extend(compare::requests(r, p)),
                        (None, None) => {}
                        (r, p) => {
                            let sent = |x: Option<&&Recorded>| {
                                if x.is_some() { "sent" } else { "(not sent)" }
                            };
                            found.push(Difference {
                                aspect: "request".into(),
                                rust: sent(r).into(),
                                python: sent(p).into(),
                            });
                        }
                    }
                    let missing = Value::Null;
                    found.extend(compare::outcomes(
                        rust_lines.get(&key).unwrap_or(&missing),
                        python.unwrap_or(&missing),
                    ));
                    for d in found {
                        // One entry per aspect: runs repeat a difference with other values.
                        if seen.insert(d.aspect.clone()) {
                            let entry = explanations
                                .iter()
                                .find(|e| e.matches(&service.module, operation, &d));
                            result.differences.push(Found {
                                case: case.id.clone(),
                                phase: canned.phase.clone(),
                                difference: d,
                                explanation: entry.map(|e| e.explanation.clone()),
                                general: entry.is_some_and(Explanation::is_general),
                            });
                        }
                    }
                }
            }
            if result.verdict == Verdict::Equal {
                result.verdict = verdict(&result.differences);
            }
            results.push(result);
        }
    }
    results
}

/// The entries that explained nothing in this run: stale once the difference is gone.
pub fn unused<'a>(
    explanations: &'a [Explanation],
    results: &[OperationResult],
) -> Vec<&'a Explanation> {
    let used: std::collections::HashSet<&str> = results
        .iter()
        .flat_map(|r| &r.differences)
        .filter_map(|f| f.explanation.as_deref())
        .collect();
    explanations
        .iter()
        .filter(|e| !used.contains(e.explanation.as_str()))
        .collect()
}

/// The verdict on a compared operation from its differences.
fn verdict(found: &[Found]) -> Verdict {
    if found.is_empty() {
        Verdict::Equal
    } else if found.iter().all(|f| f.general) {
        Verdict::EqualButGeneral
    } else if found.iter().all(|f| f.explanation.is_some()) {
        Verdict::Explained
    } else {
        Verdict::Different
    }
}

struct Row {
    service: String,
    package: String,
    operations: usize,
    compared: usize,
    equal: usize,
    general: usize,
    explained: usize,
    different: usize,
    absent: usize,
}

struct DiffRow {
    operation: String,
    case: String,
    aspect: String,
    rust: String,
    python: String,
    status: String,
}

struct AbsentRow {
    operation: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "conformance/report.md", escape = "none")]
struct Report {
    sdk_version: String,
    rows: Vec<Row>,
    total: Row,
    calls: usize,
    differences: Vec<DiffRow>,
    unknown: Vec<DiffRow>,
    absent: Vec<AbsentRow>,
    controls: Vec<ControlResult>,
}

/// A table cell: one line, `|` escaped, long values cut.
fn cell(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cut: String = one_line.chars().take(160).collect();
    let cut = if cut.len() < one_line.len() {
        format!("{cut}…")
    } else {
        cut
    };
    format!("`{}`", cut.replace('|', "\\|").replace('`', "'"))
}

/// The report's markdown.
pub fn render(
    plan: &Plan,
    results: &[OperationResult],
    observed: &Observed,
    controls: &[ControlResult],
    sdk_version: &str,
) -> Result<String, String> {
    let mut rows = Vec::new();
    let mut differences = Vec::new();
    let mut unknown = Vec::new();
    let mut absent = Vec::new();
    for service in &plan.services {
        let mine: Vec<_> = results
            .iter()
            .filter(|r| r.service == service.module)
            .collect();
        let count = |f: &dyn Fn(&Verdict) -> bool| mine.iter().filter(|r| f(&r.verdict)).count();
        let absent_count = count(&|v| matches!(v, Verdict::NotInSdk(_)));
        rows.push(Row {
            service: service.module.clone(),
            package: service
                .sdk
                .as_ref()
                .and_then(|s| s.package.clone())
                .unwrap_or_else(|| "(none)".into()),
            operations: mine.len(),
            compared: mine.len() - absent_count,
            equal: count(&|v| *v == Verdict::Equal),
            general: count(&|v| *v == Verdict::EqualButGeneral),
            explained: count(&|v| *v == Verdict::Explained),
            different: count(&|v| *v == Verdict::Different),
            absent: absent_count,
        });
        for r in &mine {
            let name = format!("{}.{}", r.service, r.operation);
            if let Verdict::NotInSdk(reason) = &r.verdict {
                absent.push(AbsentRow {
                    operation: name.clone(),
                    reason: reason.clone(),
                });
            }
            for f in &r.differences {
                differences.push(DiffRow {
                    operation: name.clone(),
                    case: format!("{} {}", f.case, f.phase),
                    aspect: f.difference.aspect.clone(),
                    rust: cell(&f.difference.rust),
                    python: cell(&f.difference.python),
                    status: f.explanation.clone().unwrap_or_else(|| "**open**".into()),
                });
            }
            for u in &r.unknown {
                unknown.push(DiffRow {
                    operation: name.clone(),
                    case: String::new(),
                    aspect: u.clone(),
                    rust: String::new(),
                    python: String::new(),
                    status: String::new(),
                });
            }
        }
    }
    let sum = |f: fn(&Row) -> usize| rows.iter().map(f).sum();
    let total = Row {
        service: "**total**".into(),
        package: String::new(),
        operations: sum(|r| r.operations),
        compared: sum(|r| r.compared),
        equal: sum(|r| r.equal),
        general: sum(|r| r.general),
        explained: sum(|r| r.explained),
        different: sum(|r| r.different),
        absent: sum(|r| r.absent),
    };
    Report {
        sdk_version: sdk_version.to_owned(),
        rows,
        total,
        calls: observed
            .requests
            .iter()
            .filter(|r| r.side == "rust")
            .count(),
        differences,
        unknown,
        absent,
        controls: controls.to_vec(),
    }
    .render()
    .map_err(|e| format!("internal error: the report template failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{Difference, Found, OperationResult, Verdict, parse_explanations, unused, verdict};

    fn found(explanation: Option<&str>, general: bool) -> Found {
        Found {
            case: "svc.Op.0".to_owned(),
            phase: "ok".to_owned(),
            difference: Difference {
                aspect: "content-type".to_owned(),
                rust: "(none)".to_owned(),
                python: "application/json".to_owned(),
            },
            explanation: explanation.map(str::to_owned),
            general,
        }
    }

    #[test]
    fn an_operation_explained_only_by_general_entries_is_told_apart() {
        let general = || found(Some("every operation"), true);
        let specific = || found(Some("this operation"), false);
        assert_eq!(verdict(&[]), Verdict::Equal);
        assert_eq!(verdict(&[general(), general()]), Verdict::EqualButGeneral);
        assert_eq!(verdict(&[general(), specific()]), Verdict::Explained);
        assert_eq!(
            verdict(&[general(), found(None, false)]),
            Verdict::Different
        );
    }

    #[test]
    fn entries_that_explained_nothing_are_found() {
        let entries = parse_explanations(
            "- { aspect: content-type, explanation: used }\n\
             - { aspect: body, explanation: stale }\n",
        )
        .unwrap();
        let results = [OperationResult {
            service: "svc".to_owned(),
            operation: "Op".to_owned(),
            verdict: Verdict::EqualButGeneral,
            differences: vec![found(Some("used"), true)],
            unknown: Vec::new(),
        }];
        let stale: Vec<&str> = unused(&entries, &results)
            .iter()
            .map(|e| e.explanation.as_str())
            .collect();
        assert_eq!(stale, ["stale"]);
    }

    #[test]
    fn an_entry_naming_no_service_or_operation_is_general() {
        let entries = parse_explanations(
            "- { aspect: content-type, explanation: all }\n\
             - { aspect: query, service: elb, explanation: one service }\n\
             - { aspect: query, operations: [ListJobs], explanation: one operation }\n",
        )
        .unwrap();
        let general: Vec<bool> = entries.iter().map(|e| e.is_general()).collect();
        assert_eq!(general, [true, false, false]);
    }
}
