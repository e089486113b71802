//! Accessibility in a real browser: axe-core (Deque's engine, pinned in `.ci/setup`) run
//! in Chromium on every page, at desktop and phone width, logged in and out.

use super::*;

/// axe-core's source: `ALLEGRO_BRIDGE_AXE_JS` (set by `scripts/test`, which installs it),
/// else where `.ci/setup` puts it. Missing is a failure, never a skip.
fn axe_source() -> String {
    let path = std::env::var("ALLEGRO_BRIDGE_AXE_JS").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tests-js/node_modules/axe-core/axe.min.js"),
        std::path::PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core not found at {} ({e}); run .ci/setup (or scripts/test), which installs it",
            path.display()
        )
    })
}

/// The serious and critical violations of WCAG 2.1 A/AA rules axe finds on the current
/// page, one line each (rule, impact, what to fix, where).
async fn serious_violations(d: &WebDriver, axe: &str) -> Vec<String> {
    d.execute(axe, vec![]).await.unwrap();
    let found = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {
                 runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
                 resultTypes: ['violations'],
             }).then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                     + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    found.convert().unwrap()
}

/// Every page of the back-office, the login page and an error page: no serious or
/// critical axe violation, at 1280 px and at 390 px (the menu opened there too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_at_desktop_and_phone_width() {
    let axe = axe_source();
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let mut pages = shop_with_every_page(&h).await;
    pages.push("/orders/no-such-order".into());
    let d = browser(port).await;
    d.goto(format!("{}/lang/pl", h.base)).await.unwrap();
    d.goto(format!("{}/login", h.base)).await.unwrap();
    let mut problems = Vec::new();
    for v in serious_violations(&d, &axe).await {
        problems.push(format!("/login: {v}"));
    }
    log_in(&d, &h.base).await;
    for (width, height) in [(1280, 900), (390, 844)] {
        d.set_window_rect(0, 0, width, height).await.unwrap();
        for page in &pages {
            d.goto(format!("{}{page}", h.base)).await.unwrap();
            if width < 700 {
                for menu in d.find_all(By::Id("menu-button")).await.unwrap() {
                    menu.click().await.unwrap();
                }
            }
            for v in serious_violations(&d, &axe).await {
                problems.push(format!("{page} at {width} px: {v}"));
            }
        }
    }
    assert!(problems.is_empty(), "axe found:\n{}", problems.join("\n"));
    d.quit().await.unwrap();
}
