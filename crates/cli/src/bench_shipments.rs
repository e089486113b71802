//! `bench shipments`: waybills pushed to Allegro per second, against the emulator with
//! Allegro's 50 requests/s limit on the shipments resource (a sliding second), and how
//! many requests that limit refused.

use std::time::Instant;

use anyhow::anyhow;

use crate::bench::BenchWorld;

/// The shipments benchmark.
pub struct ShipmentBench {
    /// Waybills to push.
    pub count: usize,
}

impl ShipmentBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        let n = self.count.max(1);
        let world = BenchWorld::new("shipments", 8, allegro_emulator::Settings::default()).await?;
        let (seller, account) = world.link("bench-shipments").await?;
        let user = app::CurrentUser::for_organisation(world.org.clone());
        world
            .emu
            .emulator
            .generate_orders(
                &seller,
                allegro_emulator::OrderPlan {
                    count: n,
                    seed: 8,
                    days: 10,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .map_err(|e| anyhow!(e))?;
        world
            .app
            .sync_account(&account)
            .await
            .map_err(crate::runtime::app_error)?;
        let orders = world.app.store().account_orders(&account).await?;
        let started = Instant::now();
        for (i, o) in orders.iter().enumerate() {
            let waybill = domain::NewWaybill::parse("INPOST", None, &format!("6200{i:020}"), Vec::new())
                .map_err(|e| anyhow!(e))?;
            world
                .app
                .add_waybill(&user, &o.id, waybill)
                .await
                .map_err(crate::runtime::app_error)?;
        }
        let added = started.elapsed().as_secs_f64();
        println!(
            "waybills added:  {} in {added:.2} s = {:.0}/s (checked against the order and Allegro's carriers, stored, queued)",
            orders.len(),
            orders.len() as f64 / added
        );
        let (requests, throttled) = (world.emu.emulator.api_requests(), world.emu.emulator.throttled());
        let started = Instant::now();
        let mut pushed = 0;
        while pushed < orders.len() {
            let r = world
                .app
                .push_due_shipments(1_000)
                .await
                .map_err(crate::runtime::app_error)?;
            pushed += r.delivered;
            if r.is_empty() {
                break;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "waybills pushed: {pushed} in {secs:.2} s = {:.1}/s (POST …/shipments; Allegro allows 50 requests/s on this resource per Client ID)",
            pushed as f64 / secs
        );
        println!(
            "requests:        {} to Allegro, {} refused by the 50/s limit",
            world.emu.emulator.api_requests() - requests,
            world.emu.emulator.throttled() - throttled
        );
        Ok(())
    }
}
