//! Configuration: defaults, then a TOML file, then `CEDU_*` environment variables, then
//! command-line flags — the later wins. Unknown keys in the file and an unwritable data folder stop
//! start-up with a message naming the key.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::accounts::SecurityProfile;
use crate::error::{Error, Result};

/// Everything `cedu serve` needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to `cedu.db` inside the data folder.
    pub database_url: Option<String>,
    /// Set behind TLS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// The address residents' phones reach this server by (`https://sq.example.gov.cn`, optionally
    /// with a path a proxy maps to cedu); QR codes and enrolment links use it. Without it they use
    /// the host the screen was opened on.
    pub public_url: Option<String>,
    /// `standard`, or `dengbao`: password complexity and a 90-day expiry (SECURITY.md).
    pub security_profile: SecurityProfile,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            data_dir: PathBuf::from("cedu-data"),
            database_url: None,
            secure_cookies: false,
            log_format: "text".into(),
            max_body_bytes: 2 * 1024 * 1024,
            public_url: None,
            security_profile: SecurityProfile::Standard,
        }
    }
}

/// The keys a config file may set (any other key is an error).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<IpAddr>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub log_format: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub public_url: Option<String>,
    pub security_profile: Option<String>,
}

impl FileConfig {
    /// Reads a config file; a missing, unreadable or malformed file is a configuration error.
    pub fn read(path: &Path) -> Result<FileConfig> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("config {}: cannot read: {e}", path.display())))?;
        toml::from_str(&src)
            .map_err(|e| Error::Config(format!("config {}: {}", path.display(), e.message())))
    }
}

/// Values given on the command line or through `CEDU_*` variables (clap resolves flag over
/// variable).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<IpAddr>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub log_format: Option<String>,
    pub public_url: Option<String>,
    pub security_profile: Option<String>,
}

impl Config {
    /// Layers defaults < file < environment/flags.
    pub fn layered(file: FileConfig, over: Overrides) -> Result<Config> {
        let d = Config::default();
        let c = Config {
            bind: over.bind.or(file.bind).unwrap_or(d.bind),
            port: over.port.or(file.port).unwrap_or(d.port),
            data_dir: over.data_dir.or(file.data_dir).unwrap_or(d.data_dir),
            database_url: over
                .database_url
                .or(file.database_url)
                .filter(|s| !s.is_empty()),
            secure_cookies: over
                .secure_cookies
                .or(file.secure_cookies)
                .unwrap_or(d.secure_cookies),
            log_format: over.log_format.or(file.log_format).unwrap_or(d.log_format),
            max_body_bytes: file.max_body_bytes.unwrap_or(d.max_body_bytes),
            public_url: match over.public_url.or(file.public_url) {
                Some(u) if !u.trim().is_empty() => Some(checked_public_url(&u)?),
                _ => None,
            },
            security_profile: match over.security_profile.or(file.security_profile) {
                None => d.security_profile,
                Some(p) => SecurityProfile::parse(&p).ok_or_else(|| {
                    Error::Config(format!(
                        "security-profile {p:?}: 只能是 standard(标准)或 dengbao(等保) · must be standard or dengbao"
                    ))
                })?,
            },
        };
        if !matches!(c.log_format.as_str(), "text" | "json") {
            return Err(Error::Config("log-format: must be text or json".into()));
        }
        if c.max_body_bytes < 1024 {
            return Err(Error::Config(
                "max_body_bytes: must be at least 1024".into(),
            ));
        }
        Ok(c)
    }

    /// Creates the data folder and proves it is writable.
    pub fn prepare_data_dir(&self) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::Config(format!(
                "data-dir {}: not writable: {e}",
                self.data_dir.display()
            ))
        };
        std::fs::create_dir_all(&self.data_dir).map_err(fail)?;
        let probe = self.data_dir.join(".write-test");
        std::fs::write(&probe, b"ok").map_err(fail)?;
        std::fs::remove_file(&probe).map_err(fail)?;
        Ok(())
    }

    /// The database URL in effect.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::db::Db::sqlite_url_in(&self.data_dir))
    }
}

/// A host name or address with an optional port (`sq.example.gov.cn`, `10.0.0.5:8080`,
/// `[::1]:8080`): what may stand between `//` and the path of a link cedu prints.
pub fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
}

/// A public address: `http://` or `https://`, a host (and port), optionally a path; no query or
/// fragment. Returned without a trailing slash, ready to have `/c/…` appended.
pub fn checked_public_url(url: &str) -> Result<String> {
    let bad = || {
        Error::Config(format!(
            "public-url {url:?}: 须为 http:// 或 https:// 开头的网址,如 https://sq.example.gov.cn · must be an http:// or https:// address such as https://sq.example.gov.cn"
        ))
    };
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_ok = is_host(host);
    let path_ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'));
    if host_ok && path_ok {
        Ok(url.to_string())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file = FileConfig {
            port: Some(9000),
            log_format: Some("json".into()),
            ..Default::default()
        };
        let c = Config::layered(
            file,
            Overrides {
                port: Some(9100),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((c.port, c.log_format.as_str()), (9100, "json"));
        let c = Config::layered(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!(c.port, 8080);
    }

    #[test]
    fn a_public_url_is_an_http_address_without_query_and_loses_its_trailing_slash() {
        for (given, kept) in [
            ("https://sq.example.gov.cn/", "https://sq.example.gov.cn"),
            ("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
            (
                "https://edu.example.cn/cedu/",
                "https://edu.example.cn/cedu",
            ),
        ] {
            assert_eq!(checked_public_url(given).unwrap(), kept);
        }
        for bad in [
            "sq.example.gov.cn",
            "ftp://sq.example.gov.cn",
            "https://",
            "https://a b.cn",
            "https://sq.example.gov.cn/?x=1",
            "javascript:alert(1)",
        ] {
            let e = checked_public_url(bad).unwrap_err().to_string();
            assert!(e.contains("public-url"), "{bad}: {e}");
        }
        let file = FileConfig {
            public_url: Some("https://sq.example.gov.cn/".into()),
            ..Default::default()
        };
        let c = Config::layered(file, Overrides::default()).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://sq.example.gov.cn"));
        let file = FileConfig {
            public_url: Some("sq.example.gov.cn".into()),
            ..Default::default()
        };
        assert!(Config::layered(file, Overrides::default()).is_err());
    }

    #[test]
    fn the_security_profile_is_standard_unless_dengbao_is_chosen() {
        let c = Config::layered(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!(c.security_profile, SecurityProfile::Standard);
        let file = FileConfig {
            security_profile: Some("dengbao".into()),
            ..Default::default()
        };
        let c = Config::layered(file, Overrides::default()).unwrap();
        assert_eq!(c.security_profile, SecurityProfile::Dengbao);
        let file = FileConfig {
            security_profile: Some("strict".into()),
            ..Default::default()
        };
        let e = Config::layered(file, Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("security-profile"), "{e}");
    }

    #[test]
    fn unknown_file_keys_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cedu.toml");
        std::fs::write(&p, "port = 1\nprot = 2\n").unwrap();
        let e = FileConfig::read(&p).unwrap_err().to_string();
        assert!(e.contains("prot"), "{e}");
    }

    #[test]
    fn an_unwritable_data_folder_stops_start_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let c = Config {
            data_dir: file.join("sub"),
            ..Config::default()
        };
        assert!(
            c.prepare_data_dir()
                .unwrap_err()
                .to_string()
                .contains("data-dir")
        );
    }
}
