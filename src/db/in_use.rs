//! The advisory lock that tells a restore the database is in use.

use std::path::Path;

use crate::error::{Error, Result};

/// Says "a cedu process uses this SQLite database": servers and commands hold it shared for as long
/// as they run, `cedu restore` takes it exclusively, so a database in use is never swapped
/// underneath a server (and no server starts during a restore). An advisory lock on
/// `<database>.lock`, released when the process ends however it ends.
pub struct InUse {
    _file: std::fs::File,
}

impl InUse {
    fn open(db_file: &Path) -> Result<std::fs::File> {
        let mut p = db_file.as_os_str().to_owned();
        p.push(".lock");
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(std::path::PathBuf::from(p))
            .map_err(|e| {
                Error::Config(format!(
                    "data-dir: 无法打开锁文件 · cannot open the lock file: {e}"
                ))
            })
    }

    /// Held by every process that opens the database; refused while a restore runs.
    pub fn shared(db_file: &Path) -> Result<InUse> {
        let f = InUse::open(db_file)?;
        match f.try_lock_shared() {
            Ok(()) => Ok(InUse { _file: f }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Config(
                "database-url: a restore is replacing this database; try again when it has finished · 正在恢复数据库,请稍后再启动".into(),
            )),
            Err(std::fs::TryLockError::Error(e)) => Err(cannot_lock(e)),
        }
    }

    /// Held by a restore; refused while any server or command uses the database.
    pub fn exclusive(db_file: &Path) -> Result<InUse> {
        let f = InUse::open(db_file)?;
        match f.try_lock() {
            Ok(()) => Ok(InUse { _file: f }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Config(
                "restore: the database is in use by a running cedu; stop it first · 数据库正在被 cedu 服务使用,请先停止服务".into(),
            )),
            Err(std::fs::TryLockError::Error(e)) => Err(cannot_lock(e)),
        }
    }
}

/// A lock the system refused for another reason than its being held.
fn cannot_lock(e: std::io::Error) -> Error {
    Error::Config(format!(
        "data-dir: 数据库正被另一个 cedu 使用 · cannot lock the database: {e}"
    ))
}
