//! A small element tree over quick-xml for the platform exports (Disqus, WordPress WXR).
//! Exports are read whole anyway (posts refer to threads defined elsewhere in the file), so
//! a tree keeps the two readers short; truncation and malformed markup are reported with the
//! line they were found at.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::Source;
use crate::error::{Error, InputProblem, Location, Result};

#[derive(Debug, Default, Clone)]
pub struct Element {
    /// The name as written, prefix included (`wp:comment`).
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// The line the element starts on.
    pub line: u64,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child, empty when there is none.
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.trim())
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a whole document into its root element.
pub fn parse(source: &Source) -> Result<Element> {
    let text = &source.text;
    let mut reader = Reader::from_str(text);
    let line_at = |position: u64| {
        let end = (position as usize).min(text.len());
        1 + text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    let fail = |position: u64, problem: InputProblem| {
        Error::input(
            Location::line(source.name.clone(), line_at(position)),
            problem,
        )
    };
    // The stack of open elements; the bottom one collects the root.
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(reader.error_position(), InputProblem::Xml(e.to_string())))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let mut element = Element {
                    name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
                    line: line_at(position),
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute =
                        attribute.map_err(|e| fail(position, InputProblem::Xml(e.to_string())))?;
                    let value = attribute
                        .unescape_value()
                        .map_err(|e| fail(position, InputProblem::Xml(e.to_string())))?;
                    element.attributes.push((
                        String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                        value.into_owned(),
                    ));
                }
                if is_empty {
                    push_child(&mut stack, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(fail(
                        position,
                        InputProblem::Xml("unexpected closing tag".into()),
                    ));
                }
                let element = stack.pop().unwrap_or_default();
                push_child(&mut stack, element);
            }
            Event::Text(content) => {
                let content = content
                    .decode()
                    .map_err(|e| fail(position, InputProblem::Xml(e.to_string())))?;
                append_text(&mut stack, &content);
            }
            Event::CData(content) => {
                let content = content
                    .decode()
                    .map_err(|e| fail(position, InputProblem::Xml(e.to_string())))?;
                append_text(&mut stack, &content);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = reference.decode().unwrap_or_default();
                        match name.as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => format!("&{other};"),
                        }
                    }
                };
                append_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(fail(
            text.len() as u64,
            InputProblem::Truncated { element: open },
        ));
    }
    let root = stack.pop().unwrap_or_default();
    root.children
        .into_iter()
        .next()
        .ok_or_else(|| fail(0, InputProblem::Xml("no root element".into())))
}

fn push_child(stack: &mut [Element], element: Element) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(element);
    }
}

fn append_text(stack: &mut [Element], text: &str) {
    if let Some(open) = stack.last_mut() {
        open.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source::in_memory("x.xml", text)
    }

    #[test]
    fn builds_a_tree_with_text_cdata_entities_and_attributes() {
        let root = parse(&source(
            "<?xml version=\"1.0\"?>\n<a x=\"1\"><b>fish &amp; chips</b>\n<c><![CDATA[<p>hi</p>]]></c><d/></a>",
        ))
        .unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attribute("x"), Some("1"));
        assert_eq!(root.child_text("b"), "fish & chips");
        assert_eq!(root.child_text("c"), "<p>hi</p>");
        assert_eq!(root.child("c").unwrap().line, 3);
        assert!(root.child("d").is_some());
    }

    #[test]
    fn truncation_names_the_open_element() {
        let err = parse(&source("<a>\n<post><message>cut")).unwrap_err();
        assert!(err.to_string().contains("<message>"), "{err}");
    }

    #[test]
    fn mismatched_tags_name_the_line() {
        let err = parse(&source("<a>\n<b></c></a>")).unwrap_err();
        assert!(err.to_string().starts_with("x.xml:2:"), "{err}");
    }
}
