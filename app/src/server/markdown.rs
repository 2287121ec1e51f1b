//! Markdown written by people (minutes, later plans and documents) rendered as HTML that
//! cannot carry markup of its own: raw HTML is shown as text, links only go to http(s) or
//! inside Conform, images are not loaded.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

fn safe_url(url: &str) -> bool {
    let url = url.trim();
    // Browsers read `/\host` like `//host`: an address elsewhere.
    !url.contains('\\')
        && (url.starts_with("https://")
            || url.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//")))
}

pub fn to_safe_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            },
            title,
            id,
        }),
        Event::Start(Tag::Image { dest_url, .. }) => Event::Text(dest_url),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::Text(CowStr::Borrowed("")),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_written_by_people_stays_text() {
        let html = to_safe_html("# Minutes\n\n<script>alert(1)</script>\n\nHi <b>there</b>");
        assert!(html.contains("<h1>Minutes</h1>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn only_safe_links_survive() {
        assert!(to_safe_html("[x](javascript:alert(1))").contains("href=\"#\""));
        assert!(to_safe_html("[x](https://example.org)").contains("href=\"https://example.org\""));
        assert!(to_safe_html("[x](/changes/1)").contains("href=\"/changes/1\""));
        assert!(to_safe_html("[x](/\\evil.example)").contains("href=\"#\""));
        assert!(!to_safe_html("![x](https://tracker.example/p.gif)").contains("<img"));
    }

    #[test]
    fn tables_render() {
        let html = to_safe_html("| a | b |\n| --- | --- |\n| 1 | 2 |\n");
        assert!(html.contains("<table>"));
    }
}
