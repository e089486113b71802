//! Demo data: one seller with offers and orders, and a registered app.

use allegro_emulator::{EmulatorHandle, NewApp, OrderPlan};
use anyhow::anyhow;

/// What the demo created, to print for the person trying it.
pub struct DemoData {
    base_url: String,
    login: String,
    password: String,
    client_id: String,
    client_secret: String,
    orders: usize,
}

/// Creates the demo seller "demo-sklep" with 250 orders and an app with a loopback
/// redirect URI.
pub fn seed(handle: &EmulatorHandle) -> anyhow::Result<DemoData> {
    let emu = &handle.emulator;
    let (login, password) = ("demo-sklep", "demo-haslo");
    let seller_id = emu
        .create_seller(login, password)
        .map_err(|e| anyhow!("creating the demo seller: {e}"))?;
    let plan = OrderPlan {
        count: 250,
        seed: 2026,
        days: 45,
        pending_share: 0.04,
        pay_within_seconds: 900,
    };
    let orders = emu
        .generate_orders(&seller_id, plan)
        .map_err(|e| anyhow!("generating demo orders: {e}"))?;
    let (client_id, client_secret) = emu
        .register_app_for(
            &seller_id,
            NewApp {
                name: "allegro-bridge demo".into(),
                description: Some("Demo application".into()),
                redirect_uris: vec![format!("{}/callback", handle.base_url)],
                app_type: None,
                scopes: None,
            },
        )
        .map_err(|e| anyhow!("registering the demo app: {e}"))?;
    Ok(DemoData {
        base_url: handle.auth_base_url.clone(),
        login: login.into(),
        password: password.into(),
        client_id,
        client_secret,
        orders,
    })
}

impl DemoData {
    /// Prints the logins and ids.
    pub fn print(&self) {
        println!(
            "  Allegro seller login: {} / password: {} ({} orders)",
            self.login, self.password, self.orders
        );
        println!("  developer portal:     {}/apps (log in as the seller)", self.base_url);
        println!("  demo app Client ID:   {}", self.client_id);
        println!(
            "  demo app secret:      shown in the portal under POKAŻ ({} characters)",
            self.client_secret.len()
        );
        println!("Press Ctrl+C to stop.");
    }
}
