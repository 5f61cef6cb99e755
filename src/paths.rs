//! The address of every page, in one place. Each entry is written once: its route pattern (the
//! constant the router registers, `{id}` and the like standing for a part) and, where it has
//! parts, the function that builds a concrete address (`paths::node(7)` is `/org/nodes/7`).
//! Handlers, templates (`{{ paths::node(n.id) }}`), the menu and the workbench's links all ask
//! here, so a page moves by changing one line. The JSON API's addresses live with its OpenAPI
//! operations.

/// Declares route patterns and their builders: `NAME = "/a/{x}" => name(x);`. The builder formats
/// the same literal, so pattern and address cannot drift apart.
macro_rules! paths {
    ($(
        $(#[$doc:meta])*
        $name:ident = $lit:literal $(=> $build:ident ( $($part:ident),* ))? ;
    )*) => {
        /// Every route pattern declared here (each one is registered: see the web layer's tests).
        pub const ALL: &[&str] = &[$($lit),*];
        $(
            $(#[$doc])*
            pub const $name: &str = $lit;
            $(
                #[doc = concat!("The address of [`", stringify!($name), "`], its parts filled in.")]
                pub fn $build($($part: impl std::fmt::Display),*) -> String {
                    format!($lit)
                }
            )?
        )*
    };
}

paths! {
    /// The start: the workbench when signed in, the login form otherwise.
    HOME = "/";
    /// Liveness and readiness of the server.
    HEALTH = "/healthz";
    STYLESHEET = "/static/cedu.css";
    SCRIPT = "/static/cedu.js";
    API_DOCS = "/api/docs";
    API_OPENAPI = "/api/openapi.json";
    /// The API's sign-in and sign-out (their OpenAPI operations name them too).
    API_LOGIN = "/api/v1/auth/login";
    API_LOGOUT = "/api/v1/auth/logout";

    // Accounts.
    LOGIN = "/login";
    LOGOUT = "/logout";
    LANG = "/lang";
    ACCOUNT = "/account";
    ACCOUNT_PASSWORD = "/account/password";
    USERS = "/users";
    USER_NEW = "/users/new";
    USER_DISABLE = "/users/{id}/disable" => user_disable(id);
    USER_ENABLE = "/users/{id}/enable" => user_enable(id);
    USER_PASSWORD = "/users/{id}/password" => user_password(id);
    ACCOUNT_REQUEST_CONFIRM = "/users/requests/{id}/confirm" => account_request_confirm(id);
    ACCOUNT_REQUEST_REJECT = "/users/requests/{id}/reject" => account_request_reject(id);
    AUDIT = "/audit";
    WORKBENCH = "/workbench";

    // The organisation tree.
    TREE = "/org/tree";
    NODES = "/org/nodes";
    NODE = "/org/nodes/{id}" => node(id);
    NODE_NEW = "/org/nodes/{id}/new" => node_new(id);
    NODE_CHILDREN = "/org/nodes/{id}/children" => node_children(id);
    NODE_EDIT = "/org/nodes/{id}/edit" => node_edit(id);
    NODE_MOVE = "/org/nodes/{id}/move" => node_move(id);
    NODE_RETIRE = "/org/nodes/{id}/retire" => node_retire(id);
    NODE_MEMBERS = "/org/nodes/{id}/members" => node_members(id);
    MEMBER_DELETE = "/org/members/{id}/delete" => member_delete(id);

    // Residents, households and imports.
    RESIDENTS = "/people/residents";
    RESIDENTS_EXPORT = "/people/residents/export.xlsx";
    RESIDENT_NEW = "/people/residents/new";
    RESIDENT = "/people/residents/{id}" => resident(id);
    RESIDENT_EDIT = "/people/residents/{id}/edit" => resident_edit(id);
    RESIDENT_REVEAL = "/people/residents/{id}/reveal" => resident_reveal(id);
    RESIDENT_ERASE = "/people/residents/{id}/erase" => resident_erase(id);
    HOUSEHOLDS = "/people/households";
    HOUSEHOLDS_EXPORT = "/people/households/export.xlsx";
    HOUSEHOLD = "/people/households/{id}" => household(id);
    IMPORTS = "/people/import";
    IMPORT_TEMPLATE = "/people/import/template/{kind}" => import_template(kind);
    IMPORT = "/people/import/{id}" => import(id);
    IMPORT_REPORT = "/people/import/{id}/report.xlsx" => import_report(id);
    IMPORT_CONFIRM = "/people/import/{id}/confirm" => import_confirm(id);
    IMPORT_CANCEL = "/people/import/{id}/cancel" => import_cancel(id);

    // Teachers and volunteers.
    TEACHERS = "/teachers";
    TEACHERS_EXPORT = "/teachers/export.xlsx";
    TEACHER_NEW = "/teachers/new";
    VOLUNTEERS = "/teachers/volunteers";
    TEACHER = "/teachers/{id}" => teacher(id);
    TEACHER_EDIT = "/teachers/{id}/edit" => teacher_edit(id);
    TEACHER_RETIRE = "/teachers/{id}/retire" => teacher_retire(id);
    TEACHER_REINSTATE = "/teachers/{id}/reinstate" => teacher_reinstate(id);
    TEACHER_TRAININGS = "/teachers/{id}/trainings" => teacher_trainings(id);
    TEACHER_SERVICE = "/teachers/{id}/service" => teacher_service(id);

    // Activities, their attendance and evidence.
    ACTIVITIES = "/activities";
    ACTIVITY_NEW = "/activities/new";
    HELD_NEW = "/activities/held/new";
    HELD = "/activities/held";
    GRID = "/activities/grid";
    GRID_XLSX = "/activities/grid.xlsx";
    GRID_CSV = "/activities/grid.csv";
    CALENDAR = "/activities/calendar";
    ACTIVITY = "/activities/{id}" => activity(id);
    ACTIVITY_EDIT = "/activities/{id}/edit" => activity_edit(id);
    ACTIVITY_TRANSITION = "/activities/{id}/transition" => activity_transition(id);
    ACTIVITY_ENROL = "/activities/{id}/enrol" => activity_enrol(id);
    ACTIVITY_QR = "/activities/{id}/qr" => activity_qr(id);
    ACTIVITY_ENROL_LINK = "/activities/{id}/enrol-link" => activity_enrol_link(id);
    ATTENDANCE = "/activities/{id}/attendance" => attendance(id);
    ATTENDANCE_PHONE = "/activities/{id}/attendance/phone" => attendance_phone(id);
    HEAD_COUNT = "/activities/{id}/head-count" => head_count(id);
    SIGN_IN_SHEET = "/activities/{id}/sign-in-sheet" => sign_in_sheet(id);
    ACTIVITY_FILES = "/activities/{id}/files" => activity_files(id);
    ACTIVITY_DOCUMENT = "/activities/{id}/document" => activity_document(id);
    ENROLMENT_CANCEL = "/enrolments/{id}/cancel" => enrolment_cancel(id);
    FILE = "/files/{id}" => file(id);
    THUMBNAIL = "/files/{id}/thumbnail" => thumbnail(id);

    // The catalogue of themes and dictionaries.
    CATALOGUE = "/catalogue";
    THEMES = "/catalogue/themes";
    THEME = "/catalogue/themes/{id}" => theme(id);
    ENTRIES = "/catalogue/{kind}" => entries(kind);
    ENTRY = "/catalogue/{kind}/{id}" => entry(kind, id);

    // The annual schedule (配档表).
    SCHEDULE = "/schedule";
    SCHEDULE_PRINT = "/schedule/print";
    SCHEDULE_XLSX = "/schedule/schedule.xlsx";
    SCHEDULE_COPY = "/schedule/copy";
    SCHEDULE_ROWS = "/schedule/rows";
    SCHEDULE_ROW = "/schedule/rows/{id}" => schedule_row(id);
    SCHEDULE_ROW_DELETE = "/schedule/rows/{id}/delete" => schedule_row_delete(id);
    SCHEDULE_ROW_DONE = "/schedule/rows/{id}/done" => schedule_row_done(id);
    SCHEDULE_ROW_REOPEN = "/schedule/rows/{id}/reopen" => schedule_row_reopen(id);
    SCHEDULE_ROW_LINK = "/schedule/rows/{id}/link" => schedule_row_link(id);
    SCHEDULE_FILE = "/schedule/files/{id}" => schedule_file(id);

    // The town's funds (经费).
    FUNDS = "/funds";
    FUNDS_XLSX = "/funds/funds.xlsx";
    FUND_INCOMES = "/funds/incomes";
    FUND_EXPENSES = "/funds/expenses";
    FUND_EXPENSE = "/funds/expenses/{id}" => fund_expense(id);
    FUND_VOUCHER = "/funds/vouchers/{id}" => fund_voucher(id);
    FUND_REGISTER = "/funds/register";

    // Commendation (评选表彰).
    AWARDS = "/awards";
    AWARD_ROUND = "/awards/rounds/{id}" => award_round(id);
    AWARD_PUBLISH = "/awards/rounds/{id}/publish" => award_publish(id);
    AWARD_NOMINATE = "/awards/rounds/{id}/nominations" => award_nominate(id);
    AWARD_DECIDED = "/awards/rounds/{id}/decided" => award_decided(id);
    NOMINATION = "/awards/nominations/{id}" => nomination(id);
    NOMINATION_STEP = "/awards/nominations/{id}/step" => nomination_step(id);
    CERTIFICATE = "/awards/nominations/{id}/certificate" => certificate(id);
    NOMINATION_FILE = "/awards/files/{id}" => nomination_file(id);
    AWARD_CATEGORIES = "/awards/categories";
    AWARD_CATEGORY = "/awards/categories/{id}" => award_category(id);
    // The published results of a town, for the public portal (no account).
    AWARD_RESULTS = "/results/{id}" => award_results(id);

    // Leadership group and office meetings.
    MEETINGS = "/meetings";
    MEETING = "/meetings/{id}" => meeting(id);
    MEETING_FOLLOW_UP = "/meetings/{id}/follow-up" => meeting_follow_up(id);
    MEETING_SCAN = "/meetings/{id}/scan" => meeting_scan(id);
    MEETING_FILE = "/meetings/files/{id}" => meeting_file(id);

    // Equipment and venues.
    EQUIPMENT = "/equipment";
    EQUIPMENT_XLSX = "/equipment/gaps.xlsx";
    EQUIPMENT_CENTRE = "/equipment/centres/{id}" => equipment_centre(id);
    EQUIPMENT_ITEMS = "/equipment/items";
    EQUIPMENT_ITEM = "/equipment/items/{id}" => equipment_item(id);
    EQUIPMENT_WRITE_OFF = "/equipment/items/{id}/write-off" => equipment_write_off(id);
    EQUIPMENT_ROOMS = "/equipment/rooms";
    EQUIPMENT_ROOM_CLOSE = "/equipment/rooms/{id}/close" => equipment_room_close(id);
    EQUIPMENT_STANDARDS = "/equipment/standards";
    EQUIPMENT_STANDARD_RETIRE = "/equipment/standards/{id}/retire" => equipment_standard_retire(id);

    // Inspections, rectifications and the year-end assessment.
    INSPECTIONS = "/inspections";
    INSPECTION_TEMPLATES = "/inspections/templates";
    INSPECTION = "/inspections/{id}" => inspection(id);
    INSPECTION_SCORES = "/inspections/{id}/scores" => inspection_scores(id);
    INSPECTION_PHOTOS = "/inspections/{id}/photos" => inspection_photos(id);
    INSPECTION_PHOTO = "/inspections/photos/{id}" => inspection_photo(id);
    RECTIFICATION_STEP = "/rectifications/{id}/steps" => rectification_step(id);
    RECTIFICATION_FILE = "/rectifications/files/{id}" => rectification_file(id);
    ASSESSMENT = "/assessment";
    ASSESSMENT_XLSX = "/assessment/assessment.xlsx";
    ASSESSMENT_APPROVE = "/assessment/approve";

    // Surveys (问卷): the list and the form to start one, a survey with its results, its QR codes
    // to print, the paper questionnaires' form and the export.
    SURVEYS = "/surveys";
    SURVEY = "/surveys/{id}" => survey(id);
    SURVEY_EDIT = "/surveys/{id}/edit" => survey_edit(id);
    SURVEY_PAPER = "/surveys/{id}/paper" => survey_paper(id);
    SURVEY_QR = "/surveys/{id}/qr" => survey_qr(id);
    SURVEY_XLSX = "/surveys/{id}/results.xlsx" => survey_xlsx(id);

    // KPIs against their targets: a place with the places one level down; the district's targets.
    KPIS = "/kpis";
    KPIS_XLSX = "/kpis/kpis.xlsx";
    KPI_TARGETS = "/kpis/targets";

    // Reports: the monthly report of a centre or a town, the annual report of a town or a
    // district, each as a workbook with charts; the year's work summary as a Word document.
    REPORT_MONTHLY = "/reports/monthly";
    REPORT_MONTHLY_XLSX = "/reports/monthly.xlsx";
    REPORT_ANNUAL = "/reports/annual";
    REPORT_ANNUAL_XLSX = "/reports/annual.xlsx";
    WORK_SUMMARY = "/reports/summary.docx";

    // The residents' phone pages behind a QR code or a link (no account).
    CHECKIN = "/c";
    CHECKIN_CODE = "/c/{token}" => checkin_code(token);
    RATING = "/r/{token}" => rating(token);
    ENROL = "/e";
    ENROL_LINK = "/e/{token}" => enrol_link(token);
    SURVEY_ANSWER = "/s/{code}" => survey_answer(code);
}

/// Static files.
pub const STATIC_PREFIX: &str = "/static/";
/// The JSON API.
pub const API_PREFIX: &str = "/api/";
/// The phone pages opened from a QR code or a link: check-in, rating, enrolment, a survey.
pub const PHONE_PREFIXES: [&str; 4] = ["/c/", "/r/", "/e/", "/s/"];

/// An address with the filled-in fields as its query (`/teachers?q=王`), encoded; blank fields are
/// left out, and an address that has a query already gets them added to it.
pub fn link_with(base: &str, fields: &[(&str, String)]) -> String {
    let filled: Vec<_> = fields.iter().filter(|(_, v)| !v.is_empty()).collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{sep}{}",
        serde_urlencoded::to_string(filled).unwrap_or_default()
    )
}

/// The address with a flash message for the page it leads to (`?ok=saved`): the key names the
/// message in `locales/`.
pub fn flashed(path: &str, key: &str) -> String {
    link_with(path, &[("ok", key.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_builder_fills_its_own_pattern() {
        assert_eq!(NODE, "/org/nodes/{id}");
        assert_eq!(node(7), "/org/nodes/7");
        assert_eq!(entry("formats", 3), "/catalogue/formats/3");
        assert_eq!(checkin_code("a1b2"), "/c/a1b2");
    }

    #[test]
    fn a_link_keeps_the_filled_fields_encoded() {
        let fields = [("q", "王".to_string()), ("tag", String::new())];
        assert_eq!(link_with(TEACHERS, &fields), "/teachers?q=%E7%8E%8B");
    }

    #[test]
    fn a_flash_is_added_to_the_query() {
        assert_eq!(flashed(&node(7), "saved"), "/org/nodes/7?ok=saved");
        assert_eq!(
            flashed("/users?page=2", "user_created"),
            "/users?page=2&ok=user_created"
        );
    }
}
