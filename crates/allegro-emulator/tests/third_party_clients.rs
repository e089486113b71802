//! Real third-party clients from PyPI (allegro-auth 2.2.0, allegro-api 0.1.0), pointed at
//! the emulator, log in with the auth-code flow and list orders. `.ci/setup` installs them
//! into `.venv-tests`; `ALLEGRO_BRIDGE_TEST_PYTHON` names that interpreter.

use std::process::Command;

use allegro_emulator::{EmulatorConfig, NewApp, OrderPlan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pypi_clients_log_in_and_list_orders() {
    let python = std::env::var("ALLEGRO_BRIDGE_TEST_PYTHON").unwrap_or_else(|_| {
        let venv = format!("{}/../../.venv-tests/bin/python", manifest_dir());
        assert!(
            std::path::Path::new(&venv).exists(),
            "the PyPI clients are not installed: run .ci/setup (creates .venv-tests) or set ALLEGRO_BRIDGE_TEST_PYTHON"
        );
        venv.to_owned()
    });
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 4 })
        .await
        .unwrap();
    let seller = emu.emulator.create_seller("pysklep", "py-haslo").unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 37,
                seed: 1,
                days: 10,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let redirect = "http://localhost:8000/callback".to_owned();
    let (id, secret) = emu
        .emulator
        .register_app(NewApp {
            name: "PyPI clients".into(),
            description: None,
            redirect_uris: vec![redirect.clone()],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    let script = format!("{}/tests/python/third_party.py", manifest_dir());
    let base = emu.base_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([script.as_str(), &base, &id, &secret, &redirect, "pysklep", "py-haslo"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(result["auth_refreshed"], true);
    assert_eq!(result["me_login"], "pysklep");
    assert_eq!(result["orders"], 10);
    assert_eq!(result["total"], 37);
}

/// The crate's folder at run time: a build folder shared between clones may hold a binary
/// compiled in another clone, so the compile-time path can be stale.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
}
