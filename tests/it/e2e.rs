//! End to end in Debian's headless Chromium through chromedriver (both installed by `.ci/run`): what a
//! town clerk and a centre head do with the pages.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{Backend, DEMO_PASSWORD, TestApp, spawn_app};

struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
    pub client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless Chromium session with a phone-sized or desktop window.
async fn browser(width: u32, height: u32) -> Driver {
    let port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{driver} must be installed (bash .ci/run installs chromium-driver): {e}")
        });
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Driver {
                    child,
                    _profile: profile,
                    client,
                };
            }
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("chromedriver did not start: {last:?}");
}

async fn sign_in(b: &Client, app: &TestApp, username: &str) {
    b.goto(&app.url("/login")).await.unwrap();
    b.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    b.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("logout")).await.unwrap();
}

/// Saves a screenshot when CEDU_SCREENSHOTS names a folder (for people reviewing the pages).
async fn snap(b: &Client, name: &str) {
    if let Ok(dir) = std::env::var("CEDU_SCREENSHOTS") {
        std::fs::write(format!("{dir}/{name}.png"), b.screenshot().await.unwrap()).unwrap();
    }
}

async fn fill(b: &Client, id: &str, text: &str) {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn click(b: &Client, at: Locator<'_>) {
    b.find(at).await.unwrap().click().await.unwrap();
}

async fn body_text(b: &Client) -> String {
    b.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_town_clerk_adds_a_community_with_its_centre_and_a_centre_head_sees_only_that_centre() {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;

    sign_in(b, &app, "qunli.office").await;
    assert!(b.current_url().await.unwrap().path().ends_with("/org/tree"));
    let tree = body_text(b).await;
    assert!(tree.contains("群力镇") && tree.contains("双河村学习中心"));
    snap(b, "tree").await;

    // Open the town, choose "+ 社区/村", fill the community and its learning centre.
    click(b, Locator::LinkText("群力镇")).await;
    b.wait()
        .for_element(Locator::Id("node-name"))
        .await
        .unwrap();
    click(b, Locator::LinkText("+ 社区/村")).await;
    b.wait()
        .for_element(Locator::Id("node-form"))
        .await
        .unwrap();
    fill(b, "name", "花岩社区").await;
    fill(b, "population", "3650").await;
    fill(b, "centre_name", "花岩社区学习中心").await;
    fill(b, "centre_head", "唐秀兰").await;
    fill(b, "centre_venue", "花岩社区党群服务中心二楼").await;
    snap(b, "community-form").await;
    click(b, Locator::Id("save")).await;
    b.wait().for_element(Locator::Id("children")).await.unwrap();
    snap(b, "community-page").await;
    let page = body_text(b).await;
    assert!(
        page.contains("已新增") && page.contains("花岩社区学习中心") && page.contains("3650"),
        "{page}"
    );

    // It is listed in the tree.
    b.find(Locator::LinkText("组织架构"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("org-tree")).await.unwrap();
    let tree = b
        .find(Locator::Id("org-tree"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tree.contains("花岩社区") && tree.contains("花岩社区学习中心"));

    b.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("login")).await.unwrap();

    // A centre head, on a phone-sized window, sees only that centre.
    b.set_window_size(390, 844).await.unwrap();
    sign_in(b, &app, "qunli.centre").await;
    let tree = b
        .find(Locator::Id("org-tree"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tree.contains("群力社区学习中心"), "{tree}");
    assert!(
        !tree.contains("双河村")
            && !tree.contains("花岩社区")
            && !tree.contains("群力镇社区教育学校"),
        "{tree}"
    );
    let menu = b.find(Locator::Css("nav.menu")).await.unwrap();
    assert!(menu.is_displayed().await.unwrap());
    assert!(!menu.text().await.unwrap().contains("账号管理"));
    if let Ok(dir) = std::env::var("CEDU_SCREENSHOTS") {
        std::fs::write(
            format!("{dir}/centre-head-phone.png"),
            b.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    d.client.clone().close().await.unwrap();
}
