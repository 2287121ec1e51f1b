//! Markdown written by people (minutes, later plans and documents) rendered as HTML that
//! cannot carry markup of its own: raw HTML is shown as text, links only go to http(s) or
//! inside Conform, images are not loaded.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn safe_url(url: &str) -> bool {
    let url = url.trim();
    // Browsers read `/\host` like `//host`: an address elsewhere.
    !url.contains('\\')
        && (url.starts_with("https://")
            || url.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//")))
}

/// Inline tags: what may sit inside a task's label (anything else is a block, which may not).
fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

pub fn to_safe_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // A task's box ("- [ ] Restore the database") is labelled by the task's text, so that it is
    // not a nameless form control: the label runs from the box to the end of the item's own
    // line or paragraph, before any sub-list.
    let mut in_task_label = false;
    let events = Parser::new_ext(markdown, options).flat_map(move |event| {
        let close_label = in_task_label
            && match &event {
                Event::Start(tag) => !is_inline(tag),
                Event::End(TagEnd::Paragraph | TagEnd::Item) => true,
                _ => false,
            };
        let mut out = Vec::with_capacity(2);
        if close_label {
            in_task_label = false;
            out.push(Event::InlineHtml(CowStr::Borrowed("</label>")));
        }
        out.push(match event {
            Event::TaskListMarker(done) => {
                in_task_label = true;
                Event::InlineHtml(CowStr::Borrowed(if done {
                    "<label><input disabled=\"\" type=\"checkbox\" checked=\"\"/> "
                } else {
                    "<label><input disabled=\"\" type=\"checkbox\"/> "
                }))
            }
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
            Event::End(TagEnd::Image) => Event::Text(CowStr::Borrowed("")),
            other => other,
        });
        out
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

    #[test]
    fn a_task_box_is_labelled_by_its_own_text() {
        let html = to_safe_html(
            "- [ ] **1. Restore** the [database](/services/1)\n  - [x] 2. Check\n- [ ] 3. Tell\n",
        );
        assert!(html.contains(
            "<li><label><input disabled=\"\" type=\"checkbox\"/> <strong>1. Restore</strong> the <a href=\"/services/1\">database</a></label>\n<ul>"
        ), "{html}");
        assert!(html.contains("<label><input disabled=\"\" type=\"checkbox\" checked=\"\"/> 2. Check</label></li>"), "{html}");
        assert!(
            html.contains("<label><input disabled=\"\" type=\"checkbox\"/> 3. Tell</label></li>"),
            "{html}"
        );
        assert_eq!(
            html.matches("<label>").count(),
            html.matches("</label>").count()
        );
    }

    #[test]
    fn a_task_label_ends_with_its_paragraph() {
        let html = to_safe_html("- [ ] one\n\n  more about it\n\n- [ ] two\n");
        assert!(
            html.contains("<p><label><input disabled=\"\" type=\"checkbox\"/> one</label></p>"),
            "{html}"
        );
        assert!(html.contains("<p>more about it</p>"), "{html}");
    }

    #[test]
    fn a_list_without_tasks_has_no_labels() {
        assert!(!to_safe_html("- one\n- two\n").contains("label"));
    }
}
