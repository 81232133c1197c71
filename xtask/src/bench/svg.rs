//! The scaling plot (`docs/bench/scaling.svg`): CPU seconds per call (wall-clock
//! in Chromium) against input size, log-log, one line per curve, rendered from the record.

use std::fmt::Write as _;

use super::record::{Record, ScalingSeries};

/// An axis label for 10^d bytes: "1 KB", "10 MB".
fn decade(d: i32) -> String {
    let units = ["B", "KB", "MB", "GB"];
    let d = d.max(0) as usize;
    let unit = units[(d / 3).min(units.len() - 1)];
    format!(
        "{} {unit}",
        10u64.pow((d - 3 * (d / 3).min(units.len() - 1)) as u32)
    )
}

/// A log-log plot of seconds against input bytes for each scaling series,
/// with a dashed line of slope 1 through each series' last point.
pub fn scaling(r: &Record) -> String {
    let (w, h, l, t, rt, b) = (700.0, 400.0, 70.0, 30.0, 190.0, 50.0);
    let series: &[ScalingSeries] = r
        .sections
        .scaling
        .as_ref()
        .and_then(|s| s.data())
        .map_or(&[], |s| s.series.as_slice());
    let pts: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|se| se.points.iter().map(|p| (p.bytes as f64, p.best_seconds())))
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    if pts.is_empty() {
        let _ = writeln!(s, r#"<text x="20" y="40">no scaling data</text></svg>"#);
        return s;
    }
    let lx = |x: f64| x.log10();
    let (x0, x1) = (
        pts.iter()
            .map(|p| lx(p.0))
            .fold(f64::INFINITY, f64::min)
            .floor(),
        pts.iter()
            .map(|p| lx(p.0))
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil(),
    );
    let (y0, y1) = (
        pts.iter()
            .map(|p| lx(p.1))
            .fold(f64::INFINITY, f64::min)
            .floor(),
        pts.iter()
            .map(|p| lx(p.1))
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil(),
    );
    let (y0, y1) = if y1 > y0 {
        (y0, y1)
    } else {
        (y0 - 1.0, y0 + 1.0)
    };
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let px = |x: f64| l + (lx(x) - x0) / (x1 - x0) * (w - l - rt);
    let py = |y: f64| h - b - (lx(y) - y0) / (y1 - y0) * (h - t - b);
    // Axes and decade grid.
    let _ = writeln!(
        s,
        r##"<path d="M{l} {t} V{} H{}" fill="none" stroke="#333"/>"##,
        h - b,
        w - rt
    );
    let mut d = x0 as i32;
    while f64::from(d) <= x1 {
        let x = px(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{t}" x2="{x:.1}" y2="{}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            h - b,
            h - b + 16.0,
            decade(d)
        );
        d += 1;
    }
    let mut d = y0 as i32;
    while f64::from(d) <= y1 {
        let y = py(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{l}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">1e{d} s</text>"##,
            w - rt,
            l - 6.0,
            y + 4.0
        );
        d += 1;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">input size (bytes, log)</text>"#,
        (l + w - rt) / 2.0,
        h - 12.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">seconds per call (log; CPU, Chromium: wall)</text>"#,
        (t + h - b) / 2.0,
        (t + h - b) / 2.0
    );
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    for (i, se) in series.iter().enumerate() {
        let c = colours[i % colours.len()];
        let p: Vec<(f64, f64)> = se
            .points
            .iter()
            .map(|p| (p.bytes as f64, p.best_seconds()))
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        let path: Vec<String> = p
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
            path.join(" ")
        );
        for (x, y) in &p {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#,
                px(*x),
                py(*y)
            );
        }
        if let Some(&(xl, yl)) = p.last() {
            // Slope-1 reference through the largest input.
            let (xa, ya) = (p[0].0, yl * p[0].0 / xl);
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{c}" stroke-dasharray="4 4" opacity="0.6"/>"#,
                px(xa),
                py(ya),
                px(xl),
                py(yl)
            );
        }
        let ly = t + 20.0 + 36.0 * i as f64;
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{c}" stroke-width="2"/><text x="{}" y="{}">{}</text><text x="{}" y="{}" fill="#555">slope {:.3}</text>"##,
            w - rt + 10.0,
            w - rt + 30.0,
            w - rt + 36.0,
            ly + 4.0,
            se.label(),
            w - rt + 36.0,
            ly + 18.0,
            se.slope().unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#555">dashed: linear</text>"##,
        w - rt + 10.0,
        t + 20.0 + 36.0 * series.len() as f64
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decades_read_well() {
        assert_eq!(decade(3), "1 KB");
        assert_eq!(decade(7), "10 MB");
        assert_eq!(decade(2), "100 B");
    }
}
