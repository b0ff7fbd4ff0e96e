//! `update()` flow of `E` (issue 12, feature 24): the current view, in the
//! table's order, becomes one CSV text the runtime writes, and the status
//! line says where it went (or why not).

mod common;

use common::*;
use orderdesk::app::{self, Effect, Msg};

fn export(fx: &[Effect]) -> Option<(String, String, usize)> {
    fx.iter().find_map(|e| match e {
        Effect::ExportCsv {
            file_name,
            text,
            rows,
        } => Some((file_name.clone(), text.clone(), *rows)),
        _ => None,
    })
}

#[test]
fn e_exports_the_view_as_shown_and_says_where() {
    let mut s = state(false);
    press(&mut s, ch('/'));
    typ(&mut s, "status:received");
    press(&mut s, key(crossterm::event::KeyCode::Enter));
    let shown = ids(&s);
    assert!(!shown.is_empty());

    let fx = press(&mut s, ch('E'));
    let (file_name, text, rows) = export(&fx).expect("an export");
    assert_eq!(rows, shown.len());
    assert!(file_name.starts_with("orderdesk-open-"), "{file_name}");
    assert!(file_name.ends_with(".csv"), "{file_name}");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "key,carrier,kind,id,status,stage,attention,flagged,created,updated,customer,service,schedule"
    );
    assert_eq!(lines.len(), shown.len() + 1);
    let exported: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(3).unwrap_or(""))
        .collect();
    assert_eq!(exported, shown, "the table's order");
    assert!(lines[1..].iter().all(|l| l.contains(",received,")));

    app::update(
        &mut s,
        Msg::Exported {
            rows,
            result: Ok(format!("/home/anna/{file_name}")),
        },
    );
    assert!(
        status_text(&s).contains(&format!(
            "exported {rows} orders to /home/anna/orderdesk-open-"
        )),
        "{}",
        status_text(&s)
    );
    app::update(
        &mut s,
        Msg::Exported {
            rows,
            result: Err("cannot write x.csv: Permission denied".into()),
        },
    );
    assert!(status_text(&s).contains("export: cannot write x.csv"));
}

#[test]
fn an_empty_view_exports_nothing_and_says_so() {
    let mut s = state(false);
    press(&mut s, ch('/'));
    typ(&mut s, "nosuchcustomerxyz");
    press(&mut s, key(crossterm::event::KeyCode::Enter));
    let fx = press(&mut s, ch('E'));
    assert!(export(&fx).is_none());
    assert!(status_text(&s).contains("no orders in this view"));
}
