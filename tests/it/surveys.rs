//! Surveys through the real server: a survey from the district's template answered on phones (the
//! API and the phone page) and on paper, its results and export; its period; a named survey's one
//! answer a person from several phones at once; an address sending too many; scope — a centre head
//! reads only the own centre's answers, another district nothing.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{
    Backend, TestApp, field_codes, futures_join, get, post, put, reason, spawn_app,
};
use cedu::calendar::Day;

fn day(offset: i64) -> String {
    Day::today().plus_days(offset).to_string()
}

/// A survey from the template for a node, open from `opens` to `closes` days from today.
async fn template_survey(
    app: &TestApp,
    token: &str,
    owner: &str,
    named: bool,
    (opens, closes): (i64, i64),
) -> Value {
    let owner = app.node_id(owner).await;
    let (s, v) = post(
        app,
        token,
        "/api/v1/surveys",
        json!({"owner_id": owner, "title": "2026年社区教育知晓率、认同率与满意率调查",
            "opens_on": day(opens), "closes_on": day(closes), "named": named, "from_template": true}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// The answers of the template's first three questions: the awareness and approval options by
/// position (0 = the first) and the scale value; a text for the fifth.
fn sheet(s: &Value, know: usize, approve: usize, scale: i64, text: Option<&str>) -> Value {
    let q = |i: usize| &s["questions"][i];
    let opt = |i: usize, o: usize| q(i)["options"][o]["id"].as_i64().unwrap();
    let mut answers = vec![
        json!({"question_id": q(0)["id"], "choices": [opt(0, know)]}),
        json!({"question_id": q(1)["id"], "choices": [opt(1, approve)]}),
        json!({"question_id": q(2)["id"], "scale": scale}),
        json!({"question_id": q(3)["id"], "choices": [opt(3, 0), opt(3, 2)]}),
    ];
    if let Some(t) = text {
        answers.push(json!({"question_id": q(4)["id"], "text": t}));
    }
    json!({ "answers": answers })
}

fn public(s: &Value) -> String {
    format!("/api/v1/public/surveys/{}", s["code"].as_str().unwrap())
}

async fn a_survey_from_the_template_is_answered_on_phones_and_on_paper(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let s = template_survey(&app, &office, "群力镇", false, (0, 10)).await;
    let id = s["id"].as_i64().unwrap();
    assert_eq!(s["questions"].as_array().unwrap().len(), 5);
    assert_eq!(s["questions"][0]["measure"], "awareness");
    // The phone form needs no account.
    let (st, form) = get(&app, None, &public(&s)).await;
    assert_eq!(st, 200, "{form}");
    assert_eq!(form["place_name"], "群力镇");
    // Three residents answer: two know of it (one took part), one does not; approvals 认同,
    // 比较认同, 说不清; ratings 5, 4, 2.
    for (know, approve, scale, text) in [
        (0, 0, 5, Some("希望多开书法课")),
        (1, 1, 4, None),
        (2, 3, 2, Some("晚上的课多一些")),
    ] {
        let (st, v) = post(
            &app,
            None,
            &public(&s),
            sheet(&s, know, approve, scale, text),
        )
        .await;
        assert_eq!(st, 201, "{v}");
    }
    // A paper questionnaire entered afterwards: knows, approves, 3 points.
    let mut paper = sheet(&s, 1, 0, 3, None);
    paper["answered_on"] = json!(day(0));
    let (st, v) = post(&app, &office, &format!("/api/v1/surveys/{id}/paper"), paper).await;
    assert_eq!(st, 201, "{v}");
    let (_, r) = get(&app, &office, &format!("/api/v1/surveys/{id}/results")).await;
    assert_eq!(
        (&r["responses"], &r["by_phone"], &r["on_paper"]),
        (&json!(4), &json!(3), &json!(1))
    );
    let q = |i: usize| &r["questions"][i];
    // Awareness: 3 of 4 know; approval: 3 of 4; satisfaction: 5 and 4 of 5, 4, 2, 3.
    assert_eq!(
        (&q(0)["positive"], &q(0)["answered"]),
        (&json!(3), &json!(4))
    );
    assert_eq!(q(1)["positive"], 3);
    assert_eq!(q(2)["positive"], 2);
    assert_eq!(q(2)["average"], 3.5);
    let counts: Vec<i64> = q(2)["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [0, 1, 1, 1, 1]);
    // Multiple choice: every sheet ticked the first and third.
    assert_eq!(q(3)["options"][0]["count"], 4);
    assert_eq!(q(3)["options"][0]["share"], 100.0);
    let texts: Vec<&str> = q(4)["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.contains(&"希望多开书法课"));
    // The export holds the same counts and every sheet.
    let browser = app.login("qunli.office").await;
    let res = browser
        .get(app.url(&format!("/surveys/{id}/results.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let summary = cedu::spreadsheet::read(&bytes, "results.xlsx").unwrap();
    let row_of = |label: &str| {
        summary
            .rows
            .iter()
            .find(|r| r.get(2).is_some_and(|c| c.text() == label))
            .unwrap_or_else(|| panic!("{label} in the summary"))
            .iter()
            .map(|c| c.text())
            .collect::<Vec<_>>()
    };
    assert_eq!(row_of("不知道")[3], "1");
    assert_eq!(row_of("平均分")[4], "3.5");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'surveys.exported' and subject_id = {id}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'surveys.paper_entered' and subject_id = {id}"
        ))
        .await,
        1
    );
    // The survey's page draws a chart per answered question, its numbers one click away.
    let page = browser
        .get(app.url(&format!("/surveys/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("<svg class=\"chart\"").count(), 4, "{page}");
    assert!(page.contains("知晓率:75.0%(3 / 4)"), "{page}");
    assert!(page.contains("希望多开书法课"));
    // Three clerks enter paper questionnaires at the same moment: all three kept.
    let path = format!("/api/v1/surveys/{id}/paper");
    let sheets: Vec<Value> = (0..3)
        .map(|i| {
            let mut p = sheet(&s, i % 3, 0, 4, None);
            p["answered_on"] = json!(day(0));
            p
        })
        .collect();
    let entered = futures_join(
        sheets
            .into_iter()
            .map(|p| post(&app, &office, &path, p))
            .collect(),
    )
    .await;
    assert!(entered.iter().all(|(s, _)| *s == 201), "{entered:?}");
    let (_, r) = get(&app, &office, &format!("/api/v1/surveys/{id}/results")).await;
    assert_eq!((&r["responses"], &r["on_paper"]), (&json!(7), &json!(4)));
    assert_eq!(r["questions"][0]["answered"], 7);
}

async fn answers_and_surveys_that_break_the_rules_are_refused_clearly(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let new = |questions: Value| {
        json!({"owner_id": town, "title": "课程需求调查", "opens_on": day(0), "closes_on": day(5),
            "questions": questions})
    };
    let (st, v) = post(&app, &office, "/api/v1/surveys", new(json!([]))).await;
    assert_eq!(st, 422);
    assert_eq!(
        field_codes(&v),
        [("questions".into(), "surveys.no_question".into())]
    );
    let one_option =
        json!([{"kind": "single", "prompt": "您最想学什么?", "options": [{"label": "书法"}]}]);
    let (st, v) = post(&app, &office, "/api/v1/surveys", new(one_option)).await;
    assert_eq!(st, 422);
    assert_eq!(
        field_codes(&v),
        [("q1".into(), "surveys.too_few_options".into())]
    );
    let mut backwards = new(json!([{"kind": "text", "prompt": "您的建议"}]));
    backwards["closes_on"] = json!(day(-1));
    let (st, v) = post(&app, &office, "/api/v1/surveys", backwards).await;
    assert_eq!(st, 422);
    assert_eq!(
        field_codes(&v),
        [("closes_on".into(), "surveys.closes_before_opens".into())]
    );
    // Answers outside the scale, a missing required answer, an option of another question.
    let s = template_survey(&app, &office, "群力镇", false, (0, 5)).await;
    let mut bad = sheet(&s, 0, 0, 6, None);
    bad["answers"][1]["choices"] = json!([s["questions"][0]["options"][0]["id"]]);
    bad["answers"].as_array_mut().unwrap().remove(0);
    let (st, v) = post(&app, None, &public(&s), bad).await;
    assert_eq!(st, 422, "{v}");
    let q = |i: usize| format!("q_{}", s["questions"][i]["id"]);
    assert_eq!(
        field_codes(&v),
        [
            (q(0), "surveys.answer_required".into()),
            (q(1), "surveys.option_unknown".into()),
            (q(2), "surveys.scale_range".into())
        ]
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from survey_responses where survey_id = {}",
            s["id"]
        ))
        .await,
        0,
        "nothing stored of a refused sheet"
    );
    // Paper dated after today, or before the survey opened.
    for (d, code) in [
        (day(1), "surveys.paper_in_future"),
        (day(-3), "surveys.paper_outside_period"),
    ] {
        let mut p = sheet(&s, 0, 0, 4, None);
        p["answered_on"] = json!(d);
        let (st, v) = post(
            &app,
            &office,
            &format!("/api/v1/surveys/{}/paper", s["id"]),
            p,
        )
        .await;
        assert_eq!(st, 422);
        assert_eq!(field_codes(&v), [("answered_on".into(), code.into())]);
    }
    // The phone page says it in Chinese, beside the question.
    let client = app.client();
    let res = client
        .post(app.url(&format!("/s/{}", s["code"].as_str().unwrap())))
        .form(&[("place_id", town.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("这道题必须回答"), "{html}");
}

async fn a_survey_takes_answers_only_in_its_period(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let s = template_survey(&app, &office, "群力镇", false, (2, 9)).await;
    let (st, v) = get(&app, None, &public(&s)).await;
    assert_eq!(st, 409);
    assert_eq!(reason(&v), "surveys.not_open_yet");
    let (st, v) = post(&app, None, &public(&s), sheet(&s, 0, 0, 5, None)).await;
    assert_eq!((st, reason(&v)), (409, "surveys.not_open_yet"));
    // Opened today: answered; then closed yesterday: refused, on the phone page too.
    let id = s["id"].as_i64().unwrap();
    let period =
        |o: i64, c: i64| json!({"title": s["title"], "opens_on": day(o), "closes_on": day(c)});
    let (st, v) = put(
        &app,
        &office,
        &format!("/api/v1/surveys/{id}"),
        period(0, 9),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let (st, _) = post(&app, None, &public(&s), sheet(&s, 0, 0, 5, None)).await;
    assert_eq!(st, 201);
    let (st, _) = put(
        &app,
        &office,
        &format!("/api/v1/surveys/{id}"),
        period(-5, -1),
    )
    .await;
    assert_eq!(st, 200);
    let (st, v) = post(&app, None, &public(&s), sheet(&s, 0, 0, 5, None)).await;
    assert_eq!((st, reason(&v)), (409, "surveys.closed"));
    let res = app
        .client()
        .get(app.url(&format!("/s/{}", s["code"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("已于"));
    // The leadership reads, it does not change the period.
    let leader = app.token("qunli.leader").await;
    let (st, _) = put(
        &app,
        &leader,
        &format!("/api/v1/surveys/{id}"),
        period(0, 9),
    )
    .await;
    assert_eq!(st, 403);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'surveys.edited' and subject_id = {id}"
        ))
        .await,
        2
    );
}

async fn a_named_survey_takes_one_answer_a_person_from_phones_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let s = template_survey(&app, &office, "群力镇", true, (0, 5)).await;
    let (st, v) = post(&app, None, &public(&s), sheet(&s, 0, 0, 5, None)).await;
    assert_eq!(st, 422);
    assert_eq!(field_codes(&v)[0].0, "phone");
    let with_phone = |p: &str| {
        let mut v = sheet(&s, 0, 0, 5, None);
        v["phone"] = json!(p);
        v
    };
    let path = public(&s);
    let answers = futures_join(
        (0..4)
            .map(|_| post(&app, None, &path, with_phone("13912345678")))
            .collect(),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409], "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|(s, _)| *s == 409)
            .all(|(_, v)| reason(v) == "surveys.answered_already")
    );
    let (st, _) = post(&app, None, &path, with_phone("139 1234 5679")).await;
    assert_eq!(st, 201);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from survey_responses where survey_id = {}",
            s["id"]
        ))
        .await,
        2
    );
    // The number is kept masked only.
    let kept = app
        .texts(&format!(
            "select phone_masked from survey_responses where survey_id = {} order by id",
            s["id"]
        ))
        .await;
    assert_eq!(kept, ["139****5678", "139****5679"]);
    assert_eq!(
        app.scalar(
            "select count(*) from survey_responses where respondent_key like '%13912345678%'"
        )
        .await,
        0
    );
}

async fn one_address_sending_hundreds_is_throttled(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let s = template_survey(&app, &office, "群力镇", false, (0, 5)).await;
    let path = public(&s);
    for i in 0..cedu::surveys::rules::THROTTLE_ANSWERS {
        let (st, v) = post(&app, None, &path, sheet(&s, 0, 0, 5, None)).await;
        assert_eq!(st, 201, "answer {i}: {v}");
    }
    let (st, v) = post(&app, None, &path, sheet(&s, 0, 0, 5, None)).await;
    assert_eq!((st, reason(&v)), (429, "surveys.throttled"));
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from survey_responses where survey_id = {}",
            s["id"]
        ))
        .await,
        cedu::surveys::rules::THROTTLE_ANSWERS
    );
    // Paper entry by staff is not throttled.
    let mut p = sheet(&s, 0, 0, 4, None);
    p["answered_on"] = json!(day(0));
    let (st, _) = post(
        &app,
        &office,
        &format!("/api/v1/surveys/{}/paper", s["id"]),
        p,
    )
    .await;
    assert_eq!(st, 201);
}

async fn a_centre_head_reads_the_own_centres_answers_and_another_district_none(b: Backend) {
    let app = spawn_app(b).await;
    let district = app.token("tongnan").await;
    let s = template_survey(&app, &district, "潼南区", false, (0, 5)).await;
    let (own, sibling) = (
        app.node_id("群力社区学习中心").await,
        app.node_id("双河村学习中心").await,
    );
    let path = public(&s);
    for (place, n) in [(own, 2), (sibling, 3)] {
        for _ in 0..n {
            let mut v = sheet(&s, 0, 0, 5, None);
            v["place_id"] = json!(place);
            let (st, v) = post(&app, None, &path, v).await;
            assert_eq!(st, 201, "{v}");
        }
    }
    let id = s["id"].as_i64().unwrap();
    let responses = |who: String| {
        let app = &app;
        async move {
            let (st, r) = get(app, &who, &format!("/api/v1/surveys/{id}/results")).await;
            (st, r["responses"].as_i64().unwrap_or(-1))
        }
    };
    assert_eq!(responses(district.clone()).await, (200, 5));
    assert_eq!(responses(app.token("qunli.office").await).await, (200, 5));
    let centre = app.token("qunli.centre").await;
    assert_eq!(responses(centre.clone()).await, (200, 2));
    let (_, list) = get(&app, &centre, "/api/v1/surveys").await;
    let line = list
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .expect("the district's survey asks the centre's residents");
    assert_eq!(line["responses"], 2);
    // The centre enters paper at its own place only.
    let mut p = sheet(&s, 0, 0, 4, None);
    p["answered_on"] = json!(day(0));
    p["place_id"] = json!(sibling);
    let (st, v) = post(
        &app,
        &centre,
        &format!("/api/v1/surveys/{id}/paper"),
        p.clone(),
    )
    .await;
    assert_eq!((st, field_codes(&v)[0].0.as_str()), (422, "place_id"));
    p["place_id"] = json!(own);
    let (st, _) = post(&app, &centre, &format!("/api/v1/surveys/{id}/paper"), p).await;
    assert_eq!(st, 201);
    // Another district sees neither the survey nor its answers; its list does not hold it.
    let qiling = app.token("qiling.office").await;
    let (st, _) = get(&app, &qiling, &format!("/api/v1/surveys/{id}/results")).await;
    assert_eq!(st, 404);
    let (_, list) = get(&app, &qiling, "/api/v1/surveys").await;
    assert!(list.as_array().unwrap().iter().all(|l| l["id"] != id));
    // A town office cannot make a survey for the district above it.
    let office = app.token("qunli.office").await;
    let (st, v) = post(
        &app,
        &office,
        "/api/v1/surveys",
        json!({"owner_id": app.node_id("潼南区").await, "title": "x", "opens_on": day(0),
            "closes_on": day(1), "from_template": true}),
    )
    .await;
    assert_eq!((st, field_codes(&v)[0].0.as_str()), (422, "owner_id"));
}

async fn the_pages_start_a_survey_and_a_phone_answers_it(b: Backend) {
    let app = spawn_app(b).await;
    let browser = app.login("qunli.office").await;
    let csrf = app.csrf(&browser).await;
    let town = app.node_id("群力镇").await.to_string();
    let fields = |title: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("owner_id", town.clone()),
            ("title", title.to_string()),
            ("opens_on", day(0)),
            ("closes_on", day(7)),
            ("questions_from", "own".into()),
            ("q1_prompt", "您知道社区学习中心在哪里吗?".into()),
            ("q1_kind", "single".into()),
            ("q1_measure", "awareness".into()),
            ("q1_required", "1".into()),
            ("q1_options", "+知道\n不知道".into()),
            ("q2_prompt", "您的建议".into()),
            ("q2_kind", "text".into()),
        ]
    };
    let mut empty = fields("");
    empty.retain(|(k, _)| !k.starts_with("q1") && !k.starts_with("q2"));
    let res = browser
        .post(app.url("/surveys"))
        .form(&empty)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("问卷至少要有一道题"), "{html}");
    let res = browser
        .post(app.url("/surveys"))
        .form(&fields("学习中心知晓情况"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let page = app.page_text(&browser, &to).await;
    assert!(page.contains("学习中心知晓情况"), "{page}");
    let code = app
        .text("select code from surveys where title = '学习中心知晓情况'")
        .await;
    let q = app
        .text("select cast(q.id as text) from survey_questions q join surveys s on s.id = q.survey_id where s.title = '学习中心知晓情况' and q.position = 1")
        .await;
    let know = app
        .text(&format!(
            "select cast(id as text) from survey_options where label = '知道' and question_id = {q}"
        ))
        .await;
    // The phone page shows the questions and takes the answer.
    let phone = app.client();
    let html = phone
        .get(app.url(&format!("/s/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("您知道社区学习中心在哪里吗?"));
    let res = phone
        .post(app.url(&format!("/s/{code}")))
        .form(&[(format!("q_{q}"), know), ("place_id".into(), town.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("提交成功"));
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from survey_answers where positive and question_id = {q}"
        ))
        .await,
        1
    );
    // The printable QR code of a place.
    let id = app
        .scalar("select id from surveys where title = '学习中心知晓情况'")
        .await;
    let qr = app
        .page_text(&browser, &format!("/surveys/{id}/qr?p={town}"))
        .await;
    assert!(qr.contains("请用手机扫码填写问卷"), "{qr}");
}

both!(
    a_survey_from_the_template_is_answered_on_phones_and_on_paper,
    answers_and_surveys_that_break_the_rules_are_refused_clearly,
    a_survey_takes_answers_only_in_its_period,
    a_named_survey_takes_one_answer_a_person_from_phones_at_once,
    one_address_sending_hundreds_is_throttled,
    a_centre_head_reads_the_own_centres_answers_and_another_district_none,
    the_pages_start_a_survey_and_a_phone_answers_it,
);
