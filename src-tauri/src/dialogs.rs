//! The native file dialogs of Backups (save a backup, open one, choose a folder) and of the
//! Analytics export and the schedule CSV (save or open a CSV), opened from Rust: the webview is granted none of the dialog plugin's commands, only these answers.
//!
//! End-to-end tests cannot click a GTK dialog through WebDriver. Built with the `e2e` feature
//! only, `TOKDECK_E2E_DIALOG_ANSWER` names a file whose text is what every dialog answers (an
//! empty file: the dialog was cancelled); the test writes it before clicking. A normal build
//! has no such hook.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};
use tokdeck_core::{ErrorCode, UiError};

use tokdeck_core::backup::archive::EXTENSION as BACKUP_EXTENSION;

#[cfg(feature = "e2e")]
const E2E_ANSWER_ENV: &str = "TOKDECK_E2E_DIALOG_ANSWER";

/// What a dialog can be asked for.
pub enum Pick {
    /// Where to save a new backup, proposing `file_name`.
    SaveBackup {
        file_name: String,
    },
    OpenBackup,
    Folder {
        title: &'static str,
    },
    /// Where to save an analytics CSV, proposing `file_name`.
    SaveCsv {
        file_name: String,
    },
    /// A schedule CSV to import.
    OpenCsv,
}

/// The path the person chose, or `None` when they cancelled.
pub async fn pick(app: &AppHandle, what: Pick) -> Result<Option<String>, UiError> {
    #[cfg(feature = "e2e")]
    if let Some(file) = std::env::var_os(E2E_ANSWER_ENV) {
        let answer = std::fs::read_to_string(file).unwrap_or_default();
        let answer = answer.trim();
        return Ok((!answer.is_empty()).then(|| answer.to_owned()));
    }
    let dialog = app.dialog().file();
    let picked = tauri::async_runtime::spawn_blocking(move || open(dialog, what))
        .await
        .map_err(|e| UiError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(picked.map(|p| p.to_string_lossy().into_owned()))
}

fn open(dialog: FileDialogBuilder<tauri::Wry>, what: Pick) -> Option<PathBuf> {
    let file = match what {
        Pick::SaveBackup { file_name } => dialog
            .set_title("Save the backup")
            .set_file_name(file_name)
            .add_filter("Tokdeck backup", &[BACKUP_EXTENSION])
            .blocking_save_file(),
        Pick::OpenBackup => dialog
            .set_title("Choose a Tokdeck backup")
            .add_filter("Tokdeck backup", &[BACKUP_EXTENSION])
            .blocking_pick_file(),
        Pick::Folder { title } => dialog.set_title(title).blocking_pick_folder(),
        Pick::SaveCsv { file_name } => dialog
            .set_title("Save the CSV file")
            .set_file_name(file_name)
            .add_filter("CSV", &["csv"])
            .blocking_save_file(),
        Pick::OpenCsv => dialog
            .set_title("Choose a schedule CSV file")
            .add_filter("CSV", &["csv"])
            .blocking_pick_file(),
    }?;
    file.into_path().ok()
}

/// `Tokdeck backup 2026-12-02.tokdeck-backup`: the date a person looks for in a folder.
pub fn backup_file_name(today: chrono::NaiveDate) -> String {
    format!(
        "Tokdeck backup {}.{BACKUP_EXTENSION}",
        today.format("%Y-%m-%d")
    )
}

/// `Tokdeck schedule 2026-12-02.csv`.
pub fn schedule_csv_name(today: chrono::NaiveDate) -> String {
    format!("Tokdeck schedule {}.csv", today.format("%Y-%m-%d"))
}

/// `tokdeck-account-counts-2026-12-02.csv` or `tokdeck-post-numbers-2026-12-02.csv`.
pub fn analytics_csv_name(
    kind: tokdeck_core::analytics::CsvKind,
    today: chrono::NaiveDate,
) -> String {
    let what = match kind {
        tokdeck_core::analytics::CsvKind::Snapshots => "account-counts",
        tokdeck_core::analytics::CsvKind::Samples => "post-numbers",
    };
    format!("tokdeck-{what}-{}.csv", today.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_analytics_csv_is_proposed_under_a_dated_name() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            super::analytics_csv_name(tokdeck_core::analytics::CsvKind::Samples, day),
            "tokdeck-post-numbers-2026-12-02.csv"
        );
    }

    #[test]
    fn a_schedule_csv_is_proposed_under_a_dated_name() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            super::schedule_csv_name(day),
            "Tokdeck schedule 2026-12-02.csv"
        );
    }

    #[test]
    fn a_backup_is_proposed_under_a_dated_name_with_its_extension() {
        assert_eq!(
            super::backup_file_name(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
            "Tokdeck backup 2026-12-02.tokdeck-backup"
        );
    }
}
