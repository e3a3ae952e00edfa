//! The app settings as a service: one copy in memory, every change persisted first, then
//! announced (the scheduler is woken: the grace period or pause may have changed).

use tokio::sync::Mutex;

use crate::audit::Outcome;
use crate::ctx::Ctx;
use crate::error::CoreResult;
use crate::events::EngineEvent;
use crate::settings::{self, Settings, SettingsPatch};

pub struct SettingsService {
    ctx: Ctx,
    current: Mutex<Settings>,
}

impl SettingsService {
    /// Reads the stored settings (defaults for what is missing).
    pub async fn load(ctx: Ctx) -> CoreResult<Self> {
        let current = settings::load(ctx.pool()).await?;
        Ok(Self {
            ctx,
            current: Mutex::new(current),
        })
    }

    pub async fn get(&self) -> Settings {
        self.current.lock().await.clone()
    }

    /// Applies a partial update, persists it, then tells everyone. The lock is held across the
    /// write so two concurrent patches cannot lose each other's fields.
    pub async fn update(&self, patch: &SettingsPatch) -> CoreResult<Settings> {
        let mut current = self.current.lock().await;
        let mut next = current.clone();
        next.apply(patch);
        settings::save(self.ctx.pool(), &next).await?;
        *current = next.clone();
        drop(current);
        self.ctx.wake_scheduler();
        let detail = serde_json::to_string(patch).unwrap_or_default();
        self.ctx
            .audit(None, "settings.update", Outcome::Ok, &detail)
            .await;
        self.ctx.events().emit(EngineEvent::SettingsChanged {
            settings: next.clone(),
        });
        Ok(next)
    }
}
