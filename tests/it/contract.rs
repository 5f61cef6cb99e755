//! The API against its own OpenAPI document: schemathesis (from PyPI, installed on first use into
//! `target/tools`) generates requests from `/api/openapi.json` — valid ones, and ones that break
//! the declared schemas — and checks every answer: no server error, only declared statuses and
//! content types, bodies conforming to their schemas, schema-violating input refused,
//! authentication enforced. Bounded in time; the seed is fixed so a failure reproduces.

use std::path::PathBuf;
use std::process::Command;

use crate::both;
use crate::helpers::{Backend, spawn_app};

const VERSION: &str = "4.32.5";

/// The schemathesis command, installed into a virtual environment under `target/` when missing
/// (`CEDU_SCHEMATHESIS` names another).
fn schemathesis() -> PathBuf {
    if let Ok(p) = std::env::var("CEDU_SCHEMATHESIS") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/schemathesis");
    let bin = venv.join("bin/schemathesis");
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(VERSION));
    if !installed {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(ok.success(), "python3 -m venv {}", venv.display());
        let out = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", &format!("schemathesis=={VERSION}")])
            .output()
            .expect("pip runs");
        assert!(
            out.status.success(),
            "pip install schemathesis: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    bin
}

async fn the_api_keeps_the_contract_of_its_openapi_document(b: Backend) {
    let tool = schemathesis();
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let work = tempfile::tempdir().unwrap();
    let checks = [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
        "ignored_auth",
        "missing_required_header",
        "unsupported_method",
    ]
    .join(",");
    let out = tokio::task::spawn_blocking({
        let url = app.url("/api/openapi.json");
        let dir = work.path().to_path_buf();
        move || {
            Command::new(tool)
                .current_dir(dir)
                .arg("run")
                .arg(url)
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args(["--checks", &checks])
                // Signing out would end the session every other request uses.
                .args(["--exclude-path", "/api/v1/auth/logout"])
                .args([
                    "--max-examples",
                    "10",
                    "--max-time",
                    "40",
                    "--seed",
                    "7",
                    "--workers",
                    "1",
                ])
                .args(["--no-color", "--generation-database", "none"])
                .output()
                .expect("schemathesis runs")
        }
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        out.status.success(),
        "the API broke its OpenAPI contract ({b:?}):\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases = summary
        .iter()
        .find(|l| l.contains("generated"))
        .map(|l| l.trim())
        .unwrap_or("");
    eprintln!("contract ({b:?}): {cases}");
}

both!(the_api_keeps_the_contract_of_its_openapi_document);
