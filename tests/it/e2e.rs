//! End to end in Debian's headless Chromium through chromedriver (both installed by `.ci/run`):
//! what a town clerk and a centre head do with the pages.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{Backend, DEMO_PASSWORD, TestApp, spawn_app};

pub(crate) struct Driver {
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
pub(crate) async fn browser(width: u32, height: u32) -> Driver {
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

pub(crate) async fn sign_in(b: &Client, app: &TestApp, username: &str) {
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
pub(crate) async fn snap(b: &Client, name: &str) {
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

pub(crate) async fn click(b: &Client, at: Locator<'_>) {
    b.find(at).await.unwrap().click().await.unwrap();
}

/// The activity page's status badge, read again while the page that a review button posted to is
/// still loading (the old page's badge may be found first, then vanish under the navigation):
/// the text once it reads `expected`, or the last text seen after 15 seconds.
async fn activity_status_once_it_reads(b: &Client, expected: &str) -> String {
    let mut last = String::new();
    for _ in 0..150 {
        if let Ok(e) = b.find(Locator::Id("activity-status")).await
            && let Ok(t) = e.text().await
        {
            if t == expected {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

pub(crate) async fn body_text(b: &Client) -> String {
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
    // Everyone lands on the workbench; the tree is one click away.
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/workbench")
    );
    click(b, Locator::LinkText("组织架构")).await;
    b.wait()
        .for_url(&app.url("/org/tree").parse().unwrap())
        .await
        .unwrap();
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
    b.goto(&app.url("/org/tree")).await.unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_uploads_a_sheet_with_two_bad_rows_reads_the_report_and_imports_exactly_the_good_rows()
 {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("齐陵居民.xlsx");
    let mut t = cedu::importers::Kind::Residents.template();
    t.notes.clear();
    t.rows = [
        [
            "齐文华",
            "女",
            "1962-04-18",
            "13933330001",
            "",
            "淄水社区",
            "7栋1单元302",
            "7栋",
            "老年人",
            "",
        ],
        [
            "齐武军",
            "男",
            "1985-09-02",
            "13933330002",
            "",
            "东龙池村",
            "4组6号",
            "4组",
            "农民",
            "",
        ],
        [
            "齐小燕",
            "女",
            "1999-12-30",
            "1393333",
            "",
            "小交流村",
            "1组2号",
            "1组",
            "",
            "",
        ],
        [
            "齐德顺",
            "男",
            "1950-01-15",
            "13933330004",
            "",
            "东龙池村",
            "4组6号",
            "4组",
            "老年人、学生",
            "",
        ],
        [
            "齐秀梅",
            "女",
            "1971-06-21",
            "13933330005",
            "",
            "小交流村",
            "2组9号",
            "2组",
            "妇女",
            "",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    std::fs::write(&path, cedu::spreadsheet::to_xlsx(&t).unwrap()).unwrap();

    let d = browser(1280, 900).await;
    let b = &d.client;
    sign_in(b, &app, "qiling.office").await;
    b.goto(&app.url("/people/import")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("import-form"))
        .await
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    click(b, Locator::Id("upload")).await;
    b.wait()
        .for_element(Locator::Id("import-summary"))
        .await
        .unwrap();
    let text = |id: &'static str| async move {
        b.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
    };
    assert_eq!(text("rows-total").await, "5");
    assert_eq!(text("rows-valid").await, "3");
    assert_eq!(text("rows-bad").await, "2");
    let report = text("import-errors").await;
    assert!(report.contains("手机号码应为 11 位数字"), "{report}");
    assert!(report.contains("不认识的人群标签“学生”"), "{report}");
    snap(b, "import-report").await;
    click(b, Locator::Id("confirm")).await;
    b.wait()
        .for_element(Locator::Id("import-notice"))
        .await
        .unwrap();
    assert_eq!(text("import-notice").await, "已导入 3 条");
    b.goto(&app.url("/people/residents?q=齐")).await.unwrap();
    let list = b
        .find(Locator::Id("resident-list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for good in ["齐文华", "齐武军", "齐秀梅"] {
        assert!(list.contains(good), "{good} in {list}");
    }
    assert!(
        !list.contains("齐小燕") && !list.contains("齐德顺"),
        "{list}"
    );
    assert!(list.contains("139****0001") && !list.contains("13933330001"));
    d.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_department_plans_an_activity_the_office_approves_it_a_resident_checks_in_by_phone_and_the_centre_head_adds_a_photo()
 {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;
    sign_in(b, &app, "qunli.shebao").await;
    b.goto(&app.url("/activities/new")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("activity-form"))
        .await
        .unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    fill(b, "title", "农业实用技术培训:柑橘种植").await;
    let select = |id: &'static str, text: &'static str| async move {
        b.find(Locator::Css(&format!("#{id}")))
            .await
            .unwrap()
            .select_by_label(text)
            .await
            .unwrap();
    };
    select("owner_id", "群力社区学习中心").await;
    select("theme_id", "科技(实用技术)").await;
    select("format_id", "技能培训").await;
    // Date and time inputs take keystrokes in the browser's locale order; set their values
    // directly.
    b.execute(
        "document.getElementById('date').value = arguments[0]; document.getElementById('start_time').value = '09:00'; document.getElementById('end_time').value = '11:30';",
        vec![serde_json::json!(date.to_string())],
    )
    .await
    .unwrap();
    fill(b, "capacity", "40").await;
    snap(b, "activity-form").await;
    click(b, Locator::Id("save")).await;
    assert_eq!(activity_status_once_it_reads(b, "草稿").await, "草稿");
    click(b, Locator::Id("action-submit")).await;
    assert_eq!(activity_status_once_it_reads(b, "待审核").await, "待审核");
    let url = b.current_url().await.unwrap();
    b.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("login")).await.unwrap();

    sign_in(b, &app, "qunli.office").await;
    b.goto(url.as_str()).await.unwrap();
    b.wait()
        .for_element(Locator::Id("action-approve"))
        .await
        .unwrap();
    click(b, Locator::Id("action-approve")).await;
    assert_eq!(activity_status_once_it_reads(b, "已通过").await, "已通过");
    snap(b, "activity-approved").await;
    click(b, Locator::Id("action-publish")).await;
    assert_eq!(activity_status_once_it_reads(b, "已发布").await, "已发布");
    b.goto(&app.url("/activities/grid")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("month-grid"))
        .await
        .unwrap();
    snap(b, "activity-grid").await;
    // The day comes: the activity starts now.
    let id: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    let now = chrono::Utc::now();
    app.set_activity_times(
        id,
        now - chrono::Duration::minutes(5),
        now + chrono::Duration::minutes(85),
    )
    .await;
    b.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("login")).await.unwrap();

    // The centre head shows the full-screen code.
    sign_in(b, &app, "qunli.centre").await;
    b.goto(&app.url(&format!("/activities/{id}/qr")))
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("qr-code")).await.unwrap();
    snap(b, "checkin-qr").await;
    let link = b
        .find(Locator::Id("qr-link"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(link.contains("/c/q."), "{link}");

    // A resident scans it with a phone and gives the mobile number.
    let community = app.node_id("群力社区").await;
    let number = app
        .text(&format!(
            "select phone from residents where community_id = {community} and phone is not null order by id limit 1"
        ))
        .await;
    let phone = browser(390, 844).await;
    let p = &phone.client;
    p.goto(&link).await.unwrap();
    p.wait()
        .for_element(Locator::Id("checkin-form"))
        .await
        .unwrap();
    assert!(body_text(p).await.contains("农业实用技术培训:柑橘种植"));
    fill(p, "phone", &number).await;
    snap(p, "checkin-phone").await;
    click(p, Locator::Id("checkin-submit")).await;
    p.wait()
        .for_element(Locator::Id("checkin-result"))
        .await
        .unwrap();
    let result = p
        .find(Locator::Id("checkin-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(result.contains("签到成功"), "{result}");
    snap(p, "checkin-done").await;
    phone.client.clone().close().await.unwrap();

    // The centre head sees the check-in and uploads a photo of the class.
    b.goto(&app.url(&format!("/activities/{id}/attendance")))
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("attendance"))
        .await
        .unwrap();
    let table = b
        .find(Locator::Id("attendance"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let masked = format!("{}****{}", &number[..3], &number[7..]);
    assert!(
        table.contains(&masked) && table.contains("扫码签到"),
        "{table}"
    );
    assert_eq!(
        b.find(Locator::Id("count-attended"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "1"
    );
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("课堂.jpg");
    image::DynamicImage::new_rgb8(320, 240)
        .save_with_format(&photo, image::ImageFormat::Jpeg)
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    click(b, Locator::Id("upload")).await;
    b.wait()
        .for_element(Locator::Css("#files img"))
        .await
        .unwrap();
    let files = b
        .find(Locator::Id("files"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        files.contains("课堂.jpg") && files.contains("活动照片"),
        "{files}"
    );
    snap(b, "attendance-with-photo").await;
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from activity_files where activity_id = {id} and kind = 'photo'"
        ))
        .await,
        1
    );
    d.client.clone().close().await.unwrap();
}

/// Each role's morning: the office, a lead department and a centre head land on their workbench,
/// see their to-dos with counts, and each link opens the list behind it. The centre head then
/// records an activity held on paper in March (补录) and lands on its attendance page, and the
/// grid marks it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lands_on_its_to_dos_and_a_centre_head_records_a_past_activity() {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;
    for (user, todo, list_heading) in [
        ("qunli.office", "todo-reviews_waiting", "课程与活动"),
        ("qunli.office", "todo-centres_below", "每月活动统计"),
        ("wangqi", "todo-undocumented", "课程与活动"),
    ] {
        sign_in(b, &app, user).await;
        assert!(
            b.current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/workbench")
        );
        let item = b.find(Locator::Id(todo)).await.unwrap();
        let text = item.text().await.unwrap();
        let count: i64 = text
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count first: {text}"));
        assert!(count > 0, "{text}");
        snap(b, &format!("workbench-{user}")).await;
        item.find(Locator::Css("a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait()
            .for_element(Locator::XPath(&format!(
                "//h1[contains(., '{list_heading}')]"
            )))
            .await
            .unwrap();
        let page = body_text(b).await;
        if todo != "todo-centres_below" {
            assert!(page.contains(&format!("共 {count} 条")), "{todo}: {page}");
        }
        click(b, Locator::Id("logout")).await;
        b.wait().for_element(Locator::Id("username")).await.unwrap();
    }
    // The centre head records last March's activity from the paper sheet.
    sign_in(b, &app, "wangqi").await;
    b.goto(&app.url("/activities")).await.unwrap();
    click(b, Locator::Id("record-held")).await;
    b.wait()
        .for_element(Locator::Id("held-intro"))
        .await
        .unwrap();
    let year = chrono::Datelike::year(&(chrono::Utc::now() + chrono::Duration::hours(8))) - 1;
    fill(b, "title", "三八节插花活动").await;
    let owner = b.find(Locator::Id("owner_id")).await.unwrap();
    owner.select_by_label("王齐村工作站").await.unwrap();
    let theme = b.find(Locator::Id("theme_id")).await.unwrap();
    theme.select_by_label("家庭教育").await.unwrap();
    // Date and time inputs take what is typed in the browser's own format: set them directly.
    b.execute(
        &format!(
            "document.getElementById('date').value = '{year}-03-08';\
             document.getElementById('start_time').value = '14:00';\
             document.getElementById('end_time').value = '16:00';"
        ),
        vec![],
    )
    .await
    .unwrap();
    click(b, Locator::Id("save")).await;
    b.wait()
        .for_element(Locator::Id("afterwards-badge"))
        .await
        .unwrap();
    let page = body_text(b).await;
    assert!(page.contains("已补录"), "{page}");
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/attendance")
    );
    snap(b, "recorded-afterwards").await;
    b.goto(&app.url(&format!("/activities/grid?year={year}")))
        .await
        .unwrap();
    let grid = body_text(b).await;
    assert!(grid.contains("补1"), "{grid}");
}

/// Where the page's content ends, and the window it must fit (CSS pixels).
async fn overflow(b: &Client) -> (f64, f64, f64, f64) {
    let v = b
        .execute(
            "const r = [...document.body.querySelectorAll('h1, p, #qr-code svg')]\
               .map(e => e.getBoundingClientRect());\
             return [Math.max(document.documentElement.scrollHeight, ...r.map(x => x.bottom)),\
                     Math.max(document.documentElement.scrollWidth, ...r.map(x => x.right)),\
                     window.innerHeight, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let n = |i: usize| v[i].as_f64().unwrap();
    (n(0), n(1), n(2), n(3))
}

/// The check-in screen on a projector: before check-in opens it says when it opens (no code to
/// scan in vain); once open, the code and its texts fit 1366×768 and 1920×1080 without
/// scrolling, and the page reloads once per rotation of the code, not every second or two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_in_screen_waits_for_its_window_and_fits_a_projector() {
    let app = spawn_app(Backend::Sqlite).await;
    let id = app
        .scalar(
            "select a.id from activities a join org_nodes o on o.id = a.owner_id \
             where a.status = 'approved' and o.path like '/1/2/3/%' order by a.id limit 1",
        )
        .await;
    let office = app.token("qunli.office").await;
    let (s, v) = crate::helpers::post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/transition"),
        serde_json::json!({"action": "publish"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let now = chrono::Utc::now();
    app.set_activity_times(
        id,
        now + chrono::Duration::hours(2),
        now + chrono::Duration::hours(3),
    )
    .await;
    let d = browser(1366, 768).await;
    let b = &d.client;
    sign_in(b, &app, "qunli.office").await;
    let screen = app.url(&format!("/activities/{id}/qr"));
    b.goto(&screen).await.unwrap();
    let notice = b
        .find(Locator::Id("qr-notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let opens = cedu::calendar::minute(now + chrono::Duration::minutes(90));
    assert!(notice.contains(&format!("签到将于 {opens}")), "{notice}");
    assert!(b.find(Locator::Id("qr-code")).await.is_err(), "no code yet");

    // Check-in opens: the code shows, and fits both screens.
    app.set_activity_times(
        id,
        now - chrono::Duration::minutes(5),
        now + chrono::Duration::minutes(85),
    )
    .await;
    for (w, h) in [(1366, 768), (1920, 1080)] {
        b.set_window_size(w, h).await.unwrap();
        b.goto(&screen).await.unwrap();
        b.wait().for_element(Locator::Id("qr-code")).await.unwrap();
        snap(b, &format!("checkin-qr-{w}x{h}")).await;
        let (bottom, right, height, width) = overflow(b).await;
        assert!(
            bottom <= height + 0.5 && right <= width + 0.5,
            "{w}×{h}: content {right}×{bottom} in a {width}×{height} window"
        );
        let side = b
            .execute(
                "return document.querySelector('#qr-code svg').getBoundingClientRect().height;",
                vec![],
            )
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        assert!(side >= height * 0.5, "{w}×{h}: the code is {side}px high");
    }
    // Watch the page for six seconds: it is loaded again at most once (when the code rotates).
    let mut loads = std::collections::BTreeSet::new();
    for _ in 0..20 {
        if let Ok(v) = b
            .execute("return String(performance.timeOrigin);", vec![])
            .await
        {
            loads.insert(v.as_str().unwrap_or_default().to_string());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(loads.len() <= 2, "loaded {} times in 6 s", loads.len());
}

/// A lead department's plan comes back with an error; switching to English shows the form again
/// with everything typed still there (and the switch back does too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_language_on_a_form_with_errors_keeps_what_was_typed() {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;
    sign_in(b, &app, "qunli.shebao").await;
    b.goto(&app.url("/activities/new")).await.unwrap();
    fill(b, "title", "医保政策讲座").await;
    b.find(Locator::Id("owner_id"))
        .await
        .unwrap()
        .select_by_label("双河村学习中心")
        .await
        .unwrap();
    fill(b, "description", "讲解城乡居民医保的参保与报销").await;
    // Yesterday: the server refuses a plan dated in the past.
    b.execute(
        "document.getElementById('date').value = \
           new Date(Date.now() - 86400000 + 8 * 3600000).toISOString().slice(0, 10);\
         document.getElementById('start_time').value = '09:00';\
         document.getElementById('end_time').value = '11:00';",
        vec![],
    )
    .await
    .unwrap();
    click(b, Locator::Id("save")).await;
    b.wait()
        .for_element(Locator::Css("p.field-error"))
        .await
        .unwrap();
    let value = |id: &'static str| async move {
        b.find(Locator::Id(id))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    };
    let date = value("date").await;
    click(b, Locator::Css("#lang-switch button")).await;
    b.wait()
        .for_element(Locator::XPath(
            "//button[@id='save' and contains(., 'Save')]",
        ))
        .await
        .unwrap();
    assert_eq!(value("title").await, "医保政策讲座");
    assert_eq!(value("description").await, "讲解城乡居民医保的参保与报销");
    assert_eq!(value("date").await, date);
    assert_eq!(value("start_time").await, "09:00");
    let owner = b
        .execute(
            "const s = document.getElementById('owner_id'); return s.options[s.selectedIndex].text;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(owner.as_str(), Some("双河村学习中心"));
    // Kept once: opening the form afresh starts empty.
    b.goto(&app.url("/activities/new")).await.unwrap();
    assert_eq!(value("title").await, "");
}

/// The plan form's teacher picker: the town school's pool first, then each centre's; typing
/// narrows it (a ticked teacher stays), and "only this theme" keeps the theme's teachers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teacher_picker_is_grouped_by_pool_and_searched() {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;
    sign_in(b, &app, "qunli.office").await;
    b.goto(&app.url("/activities/new")).await.unwrap();
    let visible = || async {
        let v = b
            .execute(
                "return [...document.querySelectorAll('#teacher-picker label.teacher')]\
                   .filter(l => l.offsetParent !== null).map(l => l.textContent.trim());",
                vec![],
            )
            .await
            .unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect::<Vec<String>>()
    };
    let pools = b
        .execute(
            "return [...document.querySelectorAll('#teacher-picker summary')].map(s => s.textContent);",
            vec![],
        )
        .await
        .unwrap();
    let pools: Vec<&str> = pools
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(pools.len() > 5, "{pools:?}");
    assert!(pools[0].starts_with("群力镇社区教育学校"), "{pools:?}");
    let all = visible().await;
    assert!(all.len() > 10, "{all:?}");
    // Tick one, then search for another by speciality.
    b.find(Locator::XPath(
        "//label[contains(., '胡杰光')]/input[@name='teacher_ids']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    fill(b, "teacher-search", "太极拳").await;
    let found = visible().await;
    assert!(
        found
            .iter()
            .all(|t| t.contains("太极拳") || t.contains("胡杰光")),
        "{found:?}"
    );
    assert!(found.iter().any(|t| t.contains("杜婷超")), "{found:?}");
    assert!(
        found.iter().any(|t| t.contains("胡杰光")),
        "the ticked one stays: {found:?}"
    );
    // Clear the search; keep the teachers of the activity's theme only.
    b.find(Locator::Id("teacher-search"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.execute(
        "document.getElementById('teacher-search').dispatchEvent(new Event('input'));",
        vec![],
    )
    .await
    .unwrap();
    b.find(Locator::Id("theme_id"))
        .await
        .unwrap()
        .select_by_label("法律")
        .await
        .unwrap();
    click(b, Locator::Id("teacher-theme-only")).await;
    let lawyers = visible().await;
    assert!(lawyers.iter().any(|t| t.contains("李玉斌")), "{lawyers:?}");
    assert!(!lawyers.iter().any(|t| t.contains("石晓福")), "{lawyers:?}");
    assert!(lawyers.len() < all.len());
}

/// The nomination page's status badge once it reads `expected` (the page a review button posted
/// to may still be loading), or the last text seen after 15 seconds.
async fn nomination_status_once_it_reads(b: &Client, expected: &str) -> String {
    let mut last = String::new();
    for _ in 0..150 {
        if let Ok(e) = b.find(Locator::Id("nomination-status")).await
            && let Ok(t) = e.text().await
        {
            if t == expected {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

async fn sign_out(b: &Client) {
    click(b, Locator::Id("logout")).await;
    b.wait().for_element(Locator::Id("login")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_opens_a_round_a_centre_nominates_a_family_and_the_leadership_approves_its_certificate()
 {
    let app = spawn_app(Backend::Sqlite).await;
    let d = browser(1280, 900).await;
    let b = &d.client;
    // Next year's round (the demo has this year's).
    let year = cedu::calendar::Year::current().0 + 1;

    // The office opens next year's round: families, one place, a certificate only.
    sign_in(b, &app, "qunli.office").await;
    click(b, Locator::LinkText("评选表彰")).await;
    b.wait()
        .for_element(Locator::Id("round-form"))
        .await
        .unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    fill(b, "year", &year.to_string()).await;
    fill(b, "title", &format!("{year}年度学习型家庭评选")).await;
    b.execute(
        &format!("document.getElementById('deadline').value = '{year}-12-31';"),
        vec![],
    )
    .await
    .unwrap();
    fill(b, "quota_learning_family", "1").await;
    snap(b, "award-round-form").await;
    click(b, Locator::Id("open-round")).await;
    b.wait()
        .for_element(Locator::Id("round-quotas"))
        .await
        .unwrap();
    let round_url = b.current_url().await.unwrap().to_string();
    assert!(body_text(b).await.contains("学习型家庭"));
    sign_out(b).await;

    // The centre head nominates a family of the community, with a photo of its deeds.
    sign_in(b, &app, "qunli.centre").await;
    b.goto(&round_url).await.unwrap();
    b.wait()
        .for_element(Locator::Id("nominate-form"))
        .await
        .unwrap();
    b.find(Locator::Id("category"))
        .await
        .unwrap()
        .select_by_label("学习型家庭")
        .await
        .unwrap();
    b.find(Locator::Id("household_id"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    fill(b, "deeds", "全家坚持参加社区读书会,带动邻里共同学习。").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("家庭读书.jpg");
    image::DynamicImage::new_rgb8(320, 240)
        .save_with_format(&photo, image::ImageFormat::Jpeg)
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    click(b, Locator::Id("nominate")).await;
    assert_eq!(
        nomination_status_once_it_reads(b, "待办公室审核").await,
        "待办公室审核"
    );
    let nomination_url = b.current_url().await.unwrap().to_string();
    let family = b
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .split(" · ")
        .next()
        .unwrap()
        .to_string();
    assert!(
        body_text(b).await.contains("家庭读书.jpg"),
        "the file is attached"
    );
    snap(b, "award-nomination").await;
    sign_out(b).await;

    // The office passes it.
    sign_in(b, &app, "qunli.office").await;
    b.goto(&nomination_url).await.unwrap();
    click(b, Locator::Css("#step-pass button")).await;
    assert_eq!(
        nomination_status_once_it_reads(b, "待领导小组审定").await,
        "待领导小组审定"
    );
    sign_out(b).await;

    // A member of the leadership group approves it; the certificate carries the family's name.
    sign_in(b, &app, "qunli.leader").await;
    b.goto(&nomination_url).await.unwrap();
    click(b, Locator::Css("#step-approve button")).await;
    assert_eq!(nomination_status_once_it_reads(b, "已审定").await, "已审定");
    let certificate = b
        .find(Locator::Id("certificate-link"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    b.goto(&app.url(&certificate)).await.unwrap();
    b.wait()
        .for_element(Locator::Id("certificate-name"))
        .await
        .unwrap();
    let text = body_text(b).await;
    assert!(
        text.contains("奖 状") && text.contains(&family) && text.contains("学习型家庭"),
        "{text}"
    );
    snap(b, "award-certificate").await;
}
