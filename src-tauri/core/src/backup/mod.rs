//! Never losing a creator's data: automatic backups and their status, "Back up now" to a
//! `.tokdeck-backup` file, restore (checked first, swapped in with the engine stopped),
//! finding moved videos, exports, and the recovery of a damaged database at startup.
//! The copies themselves are made in `db/backup/`.

pub mod archive;
pub mod dto;
pub mod export;
pub mod relink;
pub mod restore;
pub mod service;

pub use dto::{
    BackupEntry, BackupFailure, BackupPreview, BackupStatus, ExportFormat, ExportReport, Manifest,
    ManifestAccount, MissingVideo, Recovered, RelinkReport, RestoreReport,
};
pub use restore::{latest_good_at, recover_damaged, Staged};
pub use service::Backups;
