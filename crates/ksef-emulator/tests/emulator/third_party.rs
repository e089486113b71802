//! An independent KSeF client — PyPI `ksef-client` 0.20.0, installed by `.ci/setup` into
//! `.venv-tests` — logs in with a KSeF token, opens an online session, sends the
//! Ministry's sample invoice unchanged, reads its KSeF number and downloads its UPO (by
//! number and by presigned link, which that SDK accepts only on a host name).

use std::process::Command;

use ksef_emulator::{NewToken, Profile, Settings};

use crate::common::manifest_dir;
use crate::upo_schema::{shared, xmllint_upo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pypi_ksef_client_sends_a_ministry_sample_and_gets_its_upo() {
    let python = std::env::var("ALLEGRO_BRIDGE_TEST_PYTHON").unwrap_or_else(|_| {
        let venv = format!("{}/../../.venv-tests/bin/python", manifest_dir());
        assert!(
            std::path::Path::new(&venv).exists(),
            "the PyPI clients are not installed: run .ci/setup (creates .venv-tests) or set ALLEGRO_BRIDGE_TEST_PYTHON"
        );
        venv
    });
    // Production profile: the sample's NIPs pass the checksum, and the UPO carries the
    // official receiver name, so it validates against the XSD as is.
    let handle = ksef_emulator::spawn(
        "127.0.0.1:0",
        Settings {
            profile: Profile::Prod,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    let nip = "9999999999";
    let (token, _) = handle
        .emulator
        .create_token(NewToken {
            nip: nip.into(),
            permissions: vec!["InvoiceWrite".into()],
            description: None,
        })
        .unwrap();
    let sample = shared().join("ksef/samples/FA_3_Przykład_1.xml");
    let script = format!("{}/tests/python/third_party.py", manifest_dir());
    let port = handle.base_url.rsplit(':').next().unwrap().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([port.as_str(), token.as_str(), nip])
            .arg(&sample)
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
    assert_eq!(result["status"], 200);
    let number: ksef_client::KsefNumber = result["ksef_number"].as_str().unwrap().parse().unwrap();
    assert_eq!(number.nip(), nip);
    assert_eq!(result["link_host"], "ksef-emulator.test");
    assert_eq!(result["upo_by_link_equal"], true);
    let upo = result["upo"].as_str().unwrap();
    assert!(upo.contains(number.as_str()));
    xmllint_upo(upo.as_bytes()).unwrap();
    // What KSeF holds is byte for byte the Ministry's file.
    let sent = std::fs::read(shared().join("ksef/samples/FA_3_Przykład_1.xml")).unwrap();
    assert_eq!(handle.emulator.invoice_bytes(number.as_str()).unwrap(), sent);
}
