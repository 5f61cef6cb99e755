//! Charts drawn on the server as SVG: no script, no library from elsewhere, the same drawing on the
//! screen and on paper. A chart is a pure function of its numbers; every chart carries a `<title>`
//! and its numbers as text beside the bars, and the page shows the same numbers as a table one
//! click away. Labels are escaped here.

use crate::text::xml_escape;
use std::fmt::Write;

/// One bar: its label, its value, and whether it is marked (below target, the own place).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Shown as text at the end of the bar (`42`, `31.5%`).
    pub shown: String,
    pub marked: bool,
}

impl Bar {
    /// A bar showing a count.
    pub fn count(label: impl Into<String>, n: i64) -> Bar {
        Bar {
            label: label.into(),
            value: n as f64,
            shown: n.to_string(),
            marked: false,
        }
    }
}

/// Display width of a label in pixels at 13 px (a Chinese character is about square).
fn label_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 7.5 } else { 13.0 })
        .sum()
}

/// Cuts a label to at most `max` pixels, ending it with "…".
fn fit(s: &str, max: f64) -> String {
    if label_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 13.0;
    for c in s.chars() {
        w += if c.is_ascii() { 7.5 } else { 13.0 };
        if w > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Horizontal bars, one a row, scaled to the largest value or to `scale_to` (100 for shares); a
/// target drawn as a dashed line when given.
pub fn horizontal_bars(
    title: &str,
    bars: &[Bar],
    scale_to: Option<f64>,
    target: Option<f64>,
) -> String {
    const ROW: f64 = 26.0;
    const WIDTH: f64 = 640.0;
    let label_w = bars
        .iter()
        .map(|b| label_width(&b.label))
        .fold(60.0, f64::max)
        .min(240.0)
        + 12.0;
    let value_w = 70.0;
    let plot = WIDTH - label_w - value_w;
    let max = scale_to
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(target.unwrap_or(0.0))
        .max(1e-9);
    let height = ROW * bars.len().max(1) as f64 + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = xml_escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let w = (b.value.max(0.0) / max * plot).min(plot);
        let class = if b.marked { "bar marked" } else { "bar" };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{label}</text><rect class="{class}" x="{label_w}" y="{ry}" width="{w:.1}" height="{h}" rx="2"><title>{full}: {shown}</title></rect><text x="{vx:.1}" y="{ty}" font-size="13">{shown}</text>"#,
            lx = label_w - 8.0,
            ty = y + 17.0,
            label = xml_escape(&fit(&b.label, label_w - 12.0)),
            full = xml_escape(&b.label),
            ry = y + 4.0,
            h = ROW - 8.0,
            vx = label_w + w + 6.0,
            shown = xml_escape(&b.shown),
        );
    }
    if let Some(t) = target {
        let x = label_w + t / max * plot;
        let _ = write!(
            svg,
            r#"<line class="target" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{height}" stroke-dasharray="4 3"/>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical columns over a run of periods (attendance by month), labelled under each column.
pub fn columns(title: &str, bars: &[Bar]) -> String {
    const HEIGHT: f64 = 220.0;
    const PLOT: f64 = 170.0;
    let n = bars.len().max(1) as f64;
    let col = (640.0 / n).clamp(24.0, 60.0);
    let width = col * n + 10.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = xml_escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let x = 5.0 + i as f64 * col;
        let h = b.value.max(0.0) / max * PLOT;
        let y = 20.0 + PLOT - h;
        let class = if b.marked { "bar marked" } else { "bar" };
        let _ = write!(
            svg,
            r#"<rect class="{class}" x="{rx:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="2"><title>{label}: {shown}</title></rect><text x="{cx:.1}" y="{vy:.1}" text-anchor="middle" font-size="11">{shown}</text><text x="{cx:.1}" y="{ly}" text-anchor="middle" font-size="12">{short}</text>"#,
            rx = x + col * 0.15,
            w = col * 0.7,
            label = xml_escape(&b.label),
            shown = xml_escape(&b.shown),
            cx = x + col / 2.0,
            vy = y - 4.0,
            ly = HEIGHT - 10.0,
            short = xml_escape(&fit(&b.label, col)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A grid of counts (rows × columns) as a heat map: each cell shaded by its count, a cell below
/// `floor` marked, the count written in it; `None` is a cell where nothing is expected ("—").
pub fn heat_map(
    title: &str,
    columns: &[String],
    rows: &[(String, Vec<Option<i64>>)],
    floor: i64,
) -> String {
    const CELL: f64 = 34.0;
    const ROW: f64 = 24.0;
    let label_w = rows
        .iter()
        .map(|(l, _)| label_width(l))
        .fold(60.0, f64::max)
        .min(220.0)
        + 10.0;
    let width = label_w + CELL * columns.len() as f64 + 4.0;
    let height = ROW * (rows.len() as f64 + 1.0) + 4.0;
    let max = rows
        .iter()
        .flat_map(|(_, r)| r.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart heat" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = xml_escape(title)
    );
    for (c, name) in columns.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="16" text-anchor="middle" font-size="12">{n}</text>"#,
            x = label_w + CELL * (c as f64 + 0.5),
            n = xml_escape(name)
        );
    }
    for (r, (label, cells)) in rows.iter().enumerate() {
        let y = ROW * (r as f64 + 1.0);
        let _ = write!(
            svg,
            r#"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" font-size="12">{l}</text>"#,
            lx = label_w - 6.0,
            ty = y + 16.0,
            l = xml_escape(&fit(label, label_w - 10.0))
        );
        for (c, cell) in cells.iter().enumerate() {
            let x = label_w + CELL * c as f64;
            let (class, opacity, text) = match cell {
                None => ("cell none", 0.0, "—".to_string()),
                Some(n) if *n < floor => {
                    ("cell marked", 0.25 + 0.5 * (*n as f64 / max), n.to_string())
                }
                Some(n) => ("cell", 0.2 + 0.8 * (*n as f64 / max), n.to_string()),
            };
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill-opacity="{opacity:.2}"><title>{l} {col}: {text}</title></rect><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-size="11">{text}</text>"#,
                w = CELL - 2.0,
                h = ROW - 2.0,
                l = xml_escape(label),
                col = xml_escape(columns.get(c).map_or("", String::as_str)),
                tx = x + CELL / 2.0 - 1.0,
                ty = y + 16.0,
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_and_labels_escaped() {
        let svg = horizontal_bars(
            "满意度 <调查>",
            &[Bar::count("知道", 30), Bar::count("不知道 & 没听说", 10)],
            None,
            None,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title>满意度 &lt;调查&gt;</title>"));
        assert!(svg.contains("不知道 &amp; 没听说"));
        assert_eq!(svg.matches("<rect").count(), 2);
        // The largest bar fills the plot; the other is a third of it.
        let widths: Vec<f64> = svg
            .match_indices(" width=\"")
            .skip(1)
            .map(|(i, m)| {
                let rest = &svg[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert!((widths[0] / widths[1] - 3.0).abs() < 0.01, "{widths:?}");
    }

    #[test]
    fn shares_scale_to_a_hundred_and_show_the_target() {
        let svg = horizontal_bars(
            "参与率",
            &[Bar {
                label: "群力镇".into(),
                value: 20.0,
                shown: "20.0%".into(),
                marked: true,
            }],
            Some(100.0),
            Some(25.0),
        );
        assert!(svg.contains("class=\"bar marked\""));
        assert!(svg.contains("class=\"target\""));
        assert!(svg.contains("20.0%"));
    }

    #[test]
    fn a_heat_map_marks_the_cells_below_the_floor_and_dashes_the_unexpected() {
        let svg = heat_map(
            "每月活动",
            &["1月".into(), "2月".into(), "3月".into()],
            &[("群力社区学习中心".into(), vec![None, Some(1), Some(4)])],
            2,
        );
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("class=\"cell marked\"").count(), 1);
        assert_eq!(svg.matches("class=\"cell none\"").count(), 1);
        assert!(svg.contains(">4</text>"));
    }

    #[test]
    fn columns_label_every_period() {
        let bars: Vec<Bar> = (1..=12)
            .map(|m| Bar::count(format!("{m}月"), m * 10))
            .collect();
        let svg = columns("出勤人次", &bars);
        assert_eq!(svg.matches("<rect").count(), 12);
        assert!(svg.contains(">12月</text>"));
        assert!(svg.contains(">120</text>"));
    }
}
