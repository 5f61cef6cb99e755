//! Configuration: defaults, then a TOML file, then `CEDU_*` environment variables, then
//! command-line flags — the later wins. Unknown keys in the file and an unwritable data folder stop
//! start-up with a message naming the key.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::accounts::SecurityProfile;
use crate::error::{Error, Result};

/// Declares every key once: its doc (also the flag's help), the type given in a file or on the
/// command line, the type the server uses, the default, the `CEDU_*` variable, and the check that
/// turns one into the other. From it come [`Config`] (what the server uses), [`Overrides`] (every
/// key optional: a config file's keys, unknown ones refused, and the `serve` flags) and
/// [`DbOverrides`] (the keys every command takes). A `secret` key is left out of `Debug`.
macro_rules! settings {
    (
        db { $($db:tt)* }
        serve { $($serve:tt)* }
    ) => {
        settings!(@config [] $($db)* $($serve)*);
        settings!(@layer Overrides, "Every key, optional: a config file, or the `serve` flags.",
            [serde] $($db)* $($serve)*);
        settings!(@layer DbOverrides, "The keys every command takes on its command line.",
            [] $($db)*);
        impl From<DbOverrides> for Overrides {
            fn from(d: DbOverrides) -> Overrides {
                settings!(@from d $($db)*)
            }
        }
        impl Config {
            /// Layers defaults < file < environment/flags (clap resolves a flag over its variable).
            pub fn layered(file: FileConfig, over: Overrides) -> Result<Config> {
                settings!(@layered file over $($db)* $($serve)*)
            }
        }
    };
    (@config [] $(
        $(#[doc = $doc:literal])*
        $key:ident: $raw:ty => $final:ty = $default:expr, env $env:literal,
        check $check:expr $(, $secret:ident)?;
    )*) => {
        /// Everything `cedu serve` needs to start.
        #[derive(Clone)]
        pub struct Config {
            $($(#[doc = $doc])* pub $key: $final,)*
        }

        impl Default for Config {
            fn default() -> Config {
                Config { $($key: $default,)* }
            }
        }

        impl std::fmt::Debug for Config {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Config")
                    $(.field(stringify!($key), settings!(@shown $($secret)? &self.$key)))*
                    .finish()
            }
        }
    };
    (@shown secret $v:expr) => { &"(hidden)" };
    (@shown $v:expr) => { $v };
    (@layer $name:ident, $what:literal, [$($serde:ident)?] $(
        $(#[doc = $doc:literal])*
        $key:ident: $raw:ty => $final:ty = $default:expr, env $env:literal,
        check $check:expr $(, $secret:ident)?;
    )*) => {
        #[doc = $what]
        #[derive(Debug, Default, Clone, Deserialize, clap::Args)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[doc = $doc])* #[arg(long, env = $env, hide_env_values = true)] pub $key: Option<$raw>,)*
        }
    };
    (@from $d:ident $(
        $(#[doc = $doc:literal])*
        $key:ident: $raw:ty => $final:ty = $default:expr, env $env:literal,
        check $check:expr $(, $secret:ident)?;
    )*) => {
        Overrides { $($key: $d.$key,)* ..Overrides::default() }
    };
    (@layered $file:ident $over:ident $(
        $(#[doc = $doc:literal])*
        $key:ident: $raw:ty => $final:ty = $default:expr, env $env:literal,
        check $check:expr $(, $secret:ident)?;
    )*) => {{
        let d = Config::default();
        Ok(Config {
            $($key: match $over.$key.or($file.$key) {
                Some(v) => ($check)(v)?,
                None => d.$key,
            },)*
        })
    }};
}

settings! {
    db {
        /// Data folder for the embedded SQLite database (created if missing).
        data_dir: PathBuf => PathBuf = PathBuf::from("cedu-data"), env "CEDU_DATA_DIR",
            check Ok::<_, Error>;
        /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data
        /// folder).
        database_url: String => Option<String> = None, env "CEDU_DATABASE_URL",
            check |s: String| Ok::<_, Error>(Some(s).filter(|s| !s.is_empty())), secret;
    }
    serve {
        /// Address to listen on.
        bind: IpAddr => IpAddr = IpAddr::from([127, 0, 0, 1]), env "CEDU_BIND",
            check Ok::<_, Error>;
        /// Port to listen on (0 picks a free one).
        port: u16 => u16 = 8080, env "CEDU_PORT", check Ok::<_, Error>;
        /// Mark cookies Secure with the __Host- prefix (set when served behind TLS).
        secure_cookies: bool => bool = false, env "CEDU_SECURE_COOKIES", check Ok::<_, Error>;
        /// Log format: text or json.
        log_format: String => String = "text".into(), env "CEDU_LOG_FORMAT", check checked_log_format;
        /// Largest accepted request body in bytes (at least 1024).
        max_body_bytes: usize => usize = 2 * 1024 * 1024, env "CEDU_MAX_BODY_BYTES",
            check checked_body_limit;
        /// The address residents' phones reach this server by (https://…, optionally with a path a
        /// proxy maps to cedu), used in QR codes and enrolment links; without it they use the host
        /// the screen was opened on.
        public_url: String => Option<String> = None, env "CEDU_PUBLIC_URL",
            check |u: String| -> Result<Option<String>> {
                if u.trim().is_empty() { Ok(None) } else { checked_public_url(&u).map(Some) }
            };
        /// Password rules: standard, or dengbao (complexity and a 90-day expiry for 等保
        /// assessments).
        security_profile: String => SecurityProfile = SecurityProfile::Standard,
            env "CEDU_SECURITY_PROFILE", check checked_profile;
    }
}

/// A config file has the same keys as the flags of `cedu serve` (any other key is an error).
pub type FileConfig = Overrides;

impl Overrides {
    /// Reads a config file; a missing, unreadable or malformed file is a configuration error.
    pub fn read(path: &Path) -> Result<Overrides> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!(
                "config {}: 无法读取 · cannot read: {e}",
                path.display()
            ))
        })?;
        toml::from_str(&src).map_err(|e| {
            Error::Config(format!(
                "config {}: 格式有误 · malformed: {}",
                path.display(),
                e.message()
            ))
        })
    }
}

fn checked_log_format(f: String) -> Result<String> {
    if matches!(f.as_str(), "text" | "json") {
        Ok(f)
    } else {
        Err(Error::Config(format!(
            "log-format {f:?}: 只能是 text(文本)或 json · must be text or json"
        )))
    }
}

fn checked_body_limit(n: usize) -> Result<usize> {
    if n < 1024 {
        Err(Error::Config(format!(
            "max-body-bytes {n}: 不能小于 1024 字节 · must be at least 1024"
        )))
    } else {
        Ok(n)
    }
}

fn checked_profile(p: String) -> Result<SecurityProfile> {
    SecurityProfile::parse(&p).ok_or_else(|| {
        Error::Config(format!(
            "security-profile {p:?}: 只能是 standard(标准)或 dengbao(等保) · must be standard or dengbao"
        ))
    })
}

impl Config {
    /// Creates the data folder and proves it is writable.
    pub fn prepare_data_dir(&self) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::Config(format!(
                "data-dir {}: 无法写入 · not writable: {e}",
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
    fn the_database_url_stays_out_of_debug_output() {
        let over = Overrides {
            database_url: Some("postgres://cedu:s3cret@db.example/cedu".into()),
            ..Default::default()
        };
        let c = Config::layered(FileConfig::default(), over).unwrap();
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgres://cedu:s3cret@db.example/cedu")
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cret") && shown.contains("port: 8080"),
            "{shown}"
        );
    }

    #[test]
    fn every_key_of_a_file_is_also_a_serve_flag_and_a_variable() {
        use clap::Parser;
        #[derive(Parser)]
        struct Serve {
            #[command(flatten)]
            keys: Overrides,
        }
        let file: FileConfig = toml::from_str(
            "bind = \"0.0.0.0\"\nport = 9000\nmax_body_bytes = 4096\nsecurity_profile = \"dengbao\"",
        )
        .unwrap();
        let flags = Serve::try_parse_from([
            "serve",
            "--port",
            "9100",
            "--max-body-bytes",
            "8192",
            "--public-url",
            "https://sq.example.gov.cn/",
        ])
        .unwrap();
        let c = Config::layered(file, flags.keys).unwrap();
        assert_eq!(c.bind, IpAddr::from([0, 0, 0, 0]));
        assert_eq!((c.port, c.max_body_bytes), (9100, 8192));
        assert_eq!(c.security_profile, SecurityProfile::Dengbao);
        assert_eq!(c.public_url.as_deref(), Some("https://sq.example.gov.cn"));
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
