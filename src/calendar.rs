//! Dates the way the plans write them. Every town lives in Beijing time (UTC+8): a [`Day`], a
//! [`Month`] and a [`Year`] are Beijing calendar periods that know their UTC instants (what the
//! database stores), their neighbours and how many days are left, and print as the plans do ("3月",
//! "1-2月", "2021年"). A [`Months`] range is a row of the annual schedule ("1-2月", "全年"). The
//! month and week grids that calendars show are built here, as pure functions. Every date question
//! in cedu goes through this module.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};

/// UTC+8, the zone every town of this product lives in.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("8 hours is a valid offset"))
}

/// An instant in Beijing time, for display (`local(t).format("%H:%M")`).
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&beijing())
}

/// "2026-03-12 09:00" in Beijing time.
pub fn minute(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

/// "03-12 09:00" in Beijing time.
pub fn short(at: DateTime<Utc>) -> String {
    local(at).format("%m-%d %H:%M").to_string()
}

/// "2026-03-12 09:00–10:30": when an activity takes place, in Beijing time.
pub fn span(starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    format!("{}–{}", minute(starts), local(ends).format("%H:%M"))
}

/// A Beijing calendar day (read from YYYY-MM-DD).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(transparent)]
pub struct Day(pub NaiveDate);

impl Day {
    /// Today in Beijing.
    pub fn today() -> Day {
        Day::of(Utc::now())
    }

    /// The Beijing day an instant falls on.
    pub fn of(at: DateTime<Utc>) -> Day {
        Day(at.with_timezone(&beijing()).date_naive())
    }

    /// A day by year, month and day; `None` when there is no such day.
    pub fn ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(year, month, day).map(Day)
    }

    /// `2026-03-12` as forms send it (surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Day> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .map(Day)
    }

    /// The instant this day begins (Beijing midnight), in UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.at(NaiveTime::MIN)
    }

    /// The instant the next day begins, in UTC (the end of a half-open range).
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    /// A Beijing time of this day, in UTC.
    pub fn at(self, time: NaiveTime) -> DateTime<Utc> {
        self.0
            .and_time(time)
            .and_local_timezone(beijing())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| unreachable!("a fixed offset has no gaps"))
    }

    /// The day after.
    pub fn next(self) -> Day {
        self.plus_days(1)
    }

    /// The day before.
    pub fn prev(self) -> Day {
        self.plus_days(-1)
    }

    /// This day moved by `n` days (negative: back).
    pub fn plus_days(self, n: i64) -> Day {
        Day(self.0 + Duration::days(n))
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// The month this day lies in.
    pub fn month(self) -> Month {
        Month {
            year: self.0.year(),
            month: self.0.month(),
        }
    }

    /// The Monday of this day's week.
    pub fn monday(self) -> Day {
        self.plus_days(-i64::from(self.0.weekday().num_days_from_monday()))
    }

    /// Day of the month, 1–31.
    pub fn day_of_month(self) -> u32 {
        self.0.day()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A Beijing calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// A month; `None` unless 1–12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// `2026-03` as forms send it.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// `202603`: the month as the roll-ups key it (YYYYMM).
    pub fn key(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    /// The month of today in Beijing.
    pub fn current() -> Month {
        Day::today().month()
    }

    /// Its first day.
    pub fn first_day(self) -> Day {
        Day::ymd(self.year, self.month, 1).unwrap_or_else(|| unreachable!("months are 1–12"))
    }

    /// Its last day.
    pub fn last_day(self) -> Day {
        self.next().first_day().prev()
    }

    /// The instant it begins, in UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.first_day().start()
    }

    /// The instant the next month begins, in UTC.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    /// The month after.
    pub fn next(self) -> Month {
        self.plus(1)
    }

    /// The month before.
    pub fn prev(self) -> Month {
        self.plus(-1)
    }

    /// This month moved by `n` months.
    pub fn plus(self, n: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// Days left in this month after `today` (0 on its last day; none when `today` is elsewhere).
    pub fn days_left_after(self, today: Day) -> Option<i64> {
        (today.month() == self).then(|| today.days_until(self.last_day()))
    }

    /// True once the month has begun on `today`.
    pub fn has_begun(self, today: Day) -> bool {
        self <= today.month()
    }

    /// "3月".
    pub fn label(self) -> String {
        format!("{}月", self.month)
    }

    /// "2021年3月".
    pub fn long_label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// A Beijing calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(pub i32);

impl Year {
    /// The current year in Beijing.
    pub fn current() -> Year {
        Year(Day::today().year())
    }

    /// January of it.
    pub fn first_month(self) -> Month {
        Month {
            year: self.0,
            month: 1,
        }
    }

    /// Its twelve months.
    pub fn months(self) -> impl Iterator<Item = Month> {
        (1..=12).map(move |month| Month {
            year: self.0,
            month,
        })
    }

    /// The instant it begins, in UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.first_month().start()
    }

    /// The instant the next year begins, in UTC.
    pub fn end(self) -> DateTime<Utc> {
        Year(self.0 + 1).start()
    }

    /// Its first day and the first day of the next year (a half-open span of dates).
    pub fn span(self) -> (NaiveDate, NaiveDate) {
        let first = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        (first(self.0), first(self.0 + 1))
    }

    /// "2021年".
    pub fn label(self) -> String {
        format!("{}年", self.0)
    }
}

/// Months of one year from `first` to `last`, as a row of the annual schedule names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Months {
    pub year: i32,
    /// 1–12.
    pub first: u32,
    /// 1–12, not before `first`.
    pub last: u32,
}

impl Months {
    /// The whole year ("全年").
    pub fn whole_year(year: i32) -> Months {
        Months {
            year,
            first: 1,
            last: 12,
        }
    }

    /// Reads "3月", "1-2月", "1—2月", "1至2月", "全年" (or "3", "1-2") for a year.
    pub fn parse(text: &str, year: i32) -> Option<Months> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t == "全年" {
            return Some(Months::whole_year(year));
        }
        let t = t.trim_end_matches('份').trim_end_matches('月');
        let (a, b) = match t.split_once(['-', '—', '–', '~', '～', '至', '到']) {
            Some((a, b)) => (a, b.trim_end_matches('月')),
            None => (t, t),
        };
        let (first, last) = (a.parse().ok()?, b.parse().ok()?);
        ((1..=12).contains(&first) && (first..=12).contains(&last)).then_some(Months {
            year,
            first,
            last,
        })
    }

    /// "3月", "1-2月" or "全年".
    pub fn label(self) -> String {
        match (self.first, self.last) {
            (1, 12) => "全年".into(),
            (a, b) if a == b => format!("{a}月"),
            (a, b) => format!("{a}-{b}月"),
        }
    }

    /// The first month.
    pub fn start_month(self) -> Month {
        Month {
            year: self.year,
            month: self.first,
        }
    }

    /// The last month.
    pub fn end_month(self) -> Month {
        Month {
            year: self.year,
            month: self.last,
        }
    }

    /// True when the range lies wholly before `today`'s month (its months are past).
    pub fn is_past(self, today: Day) -> bool {
        self.end_month() < today.month()
    }

    /// True when `today` falls inside the range.
    pub fn contains(self, today: Day) -> bool {
        (self.start_month()..=self.end_month()).contains(&today.month())
    }
}

/// Days from `first` to `last`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days {
    pub first: Day,
    pub last: Day,
}

impl Days {
    /// The month's days.
    pub fn of_month(m: Month) -> Days {
        Days {
            first: m.first_day(),
            last: m.last_day(),
        }
    }

    /// Monday to Sunday of the week `day` lies in.
    pub fn week_of(day: Day) -> Days {
        let first = day.monday();
        Days {
            first,
            last: first.plus_days(6),
        }
    }

    /// The whole weeks (Monday to Sunday) that cover these days: what a calendar page shows.
    pub fn whole_weeks(self) -> Days {
        Days {
            first: self.first.monday(),
            last: self.last.monday().plus_days(6),
        }
    }

    /// True when `day` lies inside.
    pub fn contains(self, day: Day) -> bool {
        day >= self.first && day <= self.last
    }

    /// The instants from the first day's start to the last day's end, in UTC (half-open).
    pub fn instants(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.first.start(), self.last.end())
    }

    /// The calendar of these days as a page shows it: whole weeks from Monday, each day with the
    /// items that fall on it (in the order given).
    pub fn grid<T>(self, items: &[T], day_of: impl Fn(&T) -> Day) -> Vec<Vec<(Day, Vec<&T>)>> {
        self.whole_weeks()
            .weeks()
            .into_iter()
            .map(|week| {
                week.iter()
                    .map(|d| (*d, items.iter().filter(|i| day_of(i) == *d).collect()))
                    .collect()
            })
            .collect()
    }

    /// The weeks of the days, each seven days from Monday (call on whole weeks).
    pub fn weeks(self) -> Vec<[Day; 7]> {
        let mut out = Vec::new();
        let mut monday = self.first.monday();
        while monday <= self.last {
            out.push(std::array::from_fn(|i| monday.plus_days(i as i64)));
            monday = monday.plus_days(7);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::ymd(y, m, d).unwrap()
    }

    #[test]
    fn a_beijing_day_begins_at_16_utc_the_evening_before() {
        let d = day(2026, 3, 12);
        assert_eq!(d.start().to_rfc3339(), "2026-03-11T16:00:00+00:00");
        assert_eq!(d.end().to_rfc3339(), "2026-03-12T16:00:00+00:00");
        // 23:30 UTC on 30 April is already 1 May in Beijing.
        let late = Utc.with_ymd_and_hms(2020, 4, 30, 23, 30, 0).unwrap();
        assert_eq!(Day::of(late), day(2020, 5, 1));
        assert_eq!(Day::parse(" 2026-03-12 "), Some(d));
        assert_eq!(Day::parse("2026-02-30"), None);
    }

    #[test]
    fn times_print_in_beijing() {
        let at = Utc.with_ymd_and_hms(2026, 3, 12, 1, 0, 0).unwrap();
        assert_eq!(minute(at), "2026-03-12 09:00");
        assert_eq!(short(at), "03-12 09:00");
        assert_eq!(
            span(at, at + Duration::minutes(90)),
            "2026-03-12 09:00–10:30"
        );
    }

    #[test]
    fn months_know_their_neighbours_bounds_and_days_left() {
        let m = Month::new(2026, 12).unwrap();
        assert_eq!(m.next(), Month::new(2027, 1).unwrap());
        assert_eq!(m.plus(-12), Month::new(2025, 12).unwrap());
        assert_eq!(Month::new(2026, 1).unwrap().prev(), m.plus(-12));
        assert_eq!(Month::new(2024, 2).unwrap().last_day(), day(2024, 2, 29));
        assert_eq!(m.days_left_after(day(2026, 12, 1)), Some(30));
        assert_eq!(
            Month::new(2020, 6)
                .unwrap()
                .days_left_after(day(2020, 6, 30)),
            Some(0)
        );
        assert_eq!(m.days_left_after(day(2026, 11, 30)), None);
        assert!(m.has_begun(day(2026, 12, 1)) && !m.next().has_begun(day(2026, 12, 31)));
        assert_eq!(
            (m.label(), m.long_label()),
            ("12月".into(), "2026年12月".into())
        );
        assert_eq!(Month::new(2026, 13), None);
        assert_eq!(Month::parse("2026-03"), Month::new(2026, 3));
        assert_eq!(Month::parse("2026-3x"), None);
    }

    #[test]
    fn a_year_has_twelve_months_and_prints_as_the_plans_do() {
        let y = Year(2021);
        assert_eq!(y.months().count(), 12);
        assert_eq!(y.label(), "2021年");
        assert_eq!(y.start().to_rfc3339(), "2020-12-31T16:00:00+00:00");
        assert_eq!(y.end(), Year(2022).start());
    }

    #[test]
    fn schedule_months_read_and_print_as_in_the_qiling_table() {
        let r = Months::parse("1-2月", 2021).unwrap();
        assert_eq!((r.first, r.last, r.label()), (1, 2, "1-2月".to_string()));
        assert_eq!(Months::parse("3月", 2021).unwrap().label(), "3月");
        assert_eq!(Months::parse(" 全年 ", 2021).unwrap().label(), "全年");
        assert_eq!(Months::parse("9—10月", 2021).unwrap().last, 10);
        assert_eq!(Months::parse("11至12月", 2021).unwrap().first, 11);
        assert_eq!(Months::parse("12-1月", 2021), None, "a range runs forward");
        assert_eq!(Months::parse("13月", 2021), None);
        assert_eq!(Months::parse("春节", 2021), None);
        let feb = Months::parse("1-2月", 2021).unwrap();
        assert!(feb.is_past(day(2021, 3, 1)) && !feb.is_past(day(2021, 2, 28)));
        assert!(feb.contains(day(2021, 2, 1)) && !feb.contains(day(2021, 3, 1)));
    }

    #[test]
    fn calendar_grids_are_whole_weeks_from_monday() {
        // March 2026 begins on a Sunday and ends on a Tuesday: six weeks on the page.
        let month = Days::of_month(Month::new(2026, 3).unwrap());
        let grid = month.whole_weeks();
        assert_eq!(grid.first, day(2026, 2, 23));
        assert_eq!(grid.last, day(2026, 4, 5));
        let weeks = grid.weeks();
        assert_eq!(weeks.len(), 6);
        assert_eq!(weeks[0][6], day(2026, 3, 1));
        assert!(month.contains(day(2026, 3, 31)) && !month.contains(day(2026, 4, 1)));
        let week = Days::week_of(day(2026, 3, 12));
        assert_eq!((week.first, week.last), (day(2026, 3, 9), day(2026, 3, 15)));
        assert_eq!(week.weeks().len(), 1);
        let (from, to) = week.instants();
        assert_eq!((to - from).num_days(), 7);
    }

    #[test]
    fn a_month_grid_puts_each_item_on_its_day() {
        let items = [
            day(2026, 3, 1),
            day(2026, 3, 12),
            day(2026, 3, 12),
            day(2026, 4, 9),
        ];
        let grid = Days::of_month(Month::new(2026, 3).unwrap()).grid(&items, |d| *d);
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[0][6].0, day(2026, 3, 1));
        assert_eq!(grid[0][6].1.len(), 1);
        assert_eq!(grid[2][3], (day(2026, 3, 12), vec![&items[1], &items[2]]));
        assert!(
            grid.iter()
                .flatten()
                .all(|(d, i)| i.is_empty() || d.month().month == 3)
        );
    }
}
