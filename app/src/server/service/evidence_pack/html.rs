//! The pack's pages: plain, self-contained HTML (one shared stylesheet, no script) that opens
//! from the unpacked folder and prints well, and the tables written both as HTML and as CSV.

use crate::server::render::{csv_cell as cell, escape};
use std::io::{self, Write};

/// The stylesheet every page of the pack links (written into the pack as `style.css`).
pub const STYLESHEET: &str = include_str!("../../../../../style/evidence-pack.css");

/// A whole page. `depth` is how many folders below the pack's root the page sits, so the
/// stylesheet and the index are found from anywhere.
pub fn page(title: &str, depth: usize, as_of: &str, body: &str) -> String {
    let up = "../".repeat(depth);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{up}style.css\"></head><body>\
         <nav class=\"crumbs\"><a href=\"{up}index.html\">Evidence pack index</a></nav>\
         <main><h1>{title}</h1>{body}</main>\
         <footer>Conform evidence pack — data as of {as_of}. Every file's SHA-256 is in \
         MANIFEST.sha256 at the root of the pack.</footer></body></html>",
        title = escape(title),
    )
}

/// A table written row by row as HTML.
pub struct HtmlTable<'a, W: Write> {
    out: &'a mut W,
}

impl<'a, W: Write> HtmlTable<'a, W> {
    pub fn start(out: &'a mut W, columns: &[&str]) -> io::Result<Self> {
        write!(out, "<table><thead><tr>")?;
        for column in columns {
            write!(out, "<th scope=\"col\">{}</th>", escape(column))?;
        }
        write!(out, "</tr></thead><tbody>")?;
        Ok(HtmlTable { out })
    }

    pub fn row(&mut self, cells: &[String]) -> io::Result<()> {
        write!(self.out, "<tr>")?;
        for value in cells {
            write!(self.out, "<td>{}</td>", escape(value))?;
        }
        write!(self.out, "</tr>")
    }

    pub fn end(self) -> io::Result<()> {
        write!(self.out, "</tbody></table>")
    }
}

/// A CSV header or row; text a spreadsheet would run as a formula is neutralised.
pub fn csv_row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(|value| cell(value)))
        .map_err(io::Error::other)?;
    let line = writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&line)
}

pub fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_titles_and_link_back_to_the_root() {
        let html = page("Clause <8.5.1>", 1, "2026-11-28", "<p>x</p>");
        assert!(html.contains("<title>Clause &lt;8.5.1&gt;</title>"));
        assert!(html.contains("href=\"../style.css\""));
        assert!(html.contains("href=\"../index.html\""));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn csv_rows_neutralise_formulas() {
        let mut out = Vec::new();
        csv_row(&mut out, &strings(&["=SUM(A1)", "plain, with comma"])).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "'=SUM(A1),\"plain, with comma\"\n"
        );
    }
}
