//! `update()` flows of the command palette (`:`), views of one's own
//! (`[[view]]`, ctrl-s in the filter, `<`/`>`), copy and open (`y`, `Y`,
//! `o`) and the relative/absolute time toggle (`T`). No terminal, no
//! network.

mod common;

use common::*;
use crossterm::event::KeyCode;

use orderdesk::app::{Effect, Focus, Layer, PaletteTarget, ViewKind, fuzzy_score};

fn entries(s: &orderdesk::app::State) -> Vec<(String, String)> {
    s.palette()
        .expect("the palette is open")
        .entries
        .iter()
        .map(|e| (e.kind.to_string(), e.label.clone()))
        .collect()
}

// --- palette ---------------------------------------------------------------

#[test]
fn colon_opens_the_palette_and_typing_starts_at_once() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    assert_eq!(s.layer(), Layer::Palette);
    // Letters type at once: `j` is not "down", `q` does not quit.
    typ(&mut s, "jq");
    assert_eq!(s.palette().unwrap().input.text(), "jq");
    assert!(!s.should_quit());
    press(&mut s, key(KeyCode::Esc));
    assert!(s.palette().is_none());
    assert_eq!(s.layer(), Layer::Table);
}

#[test]
fn palette_jumps_to_an_order_by_fuzzy_id() {
    let mut s = state(false);
    assert_eq!(selected_id(&s), "19477");
    press(&mut s, ch(':'));
    // "tg/19531" holds 1, 5, 3, 1 in order; so does 19530 less tightly.
    typ(&mut s, "tg1531");
    let first = &s.palette().unwrap().entries[0];
    assert_eq!(first.target, PaletteTarget::Order(tg_key("19531")));
    assert_eq!(first.kind, "order");
    assert!(first.label.contains("Björn"), "{}", first.label);
    press(&mut s, key(KeyCode::Enter));
    assert!(s.palette().is_none());
    assert_eq!(selected_id(&s), "19531");
}

#[test]
fn an_exact_id_ranks_first_and_a_hidden_order_widens_the_view() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    // 19455 is cancelled: not in the open view.
    typ(&mut s, "19455");
    let first = &s.palette().unwrap().entries[0];
    assert_eq!(first.target, PaletteTarget::Order(tg_key("19455")));
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(selected_id(&s), "19455");
    assert_eq!(s.store().view(), ViewKind::All);
    assert!(status_text(&s).contains("view all"), "{}", status_text(&s));
}

#[test]
fn palette_runs_an_action_by_name_and_shows_its_key() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    typ(&mut s, "journal");
    let p = s.palette().unwrap();
    let journal = p
        .entries
        .iter()
        .find(|e| e.target == PaletteTarget::Action(orderdesk::app::Action::Journal))
        .expect("the journal action is offered");
    assert_eq!(journal.key, "J");
    assert_eq!(
        p.entries[0].target,
        PaletteTarget::Action(orderdesk::app::Action::Journal)
    );
    press(&mut s, key(KeyCode::Enter));
    assert!(s.journal_view().is_some());
}

#[test]
fn palette_moves_with_arrows_and_ctrl_n_ctrl_p() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    typ(&mut s, "view");
    let n = s.palette().unwrap().entries.len();
    assert!(n >= 4, "{:?}", entries(&s));
    press(&mut s, key(KeyCode::Down));
    assert_eq!(s.palette().unwrap().cursor, 1);
    press(&mut s, ctrl('n'));
    assert_eq!(s.palette().unwrap().cursor, 2);
    press(&mut s, ctrl('p'));
    press(&mut s, key(KeyCode::Up));
    assert_eq!(s.palette().unwrap().cursor, 0);
    // Up from the first wraps to the last.
    press(&mut s, key(KeyCode::Up));
    assert_eq!(s.palette().unwrap().cursor, n - 1);
}

#[test]
fn palette_switches_the_view() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    typ(&mut s, "view_new");
    let first = &s.palette().unwrap().entries[0];
    assert_eq!(first.kind, "view");
    assert_eq!(first.key, "3");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.store().view(), ViewKind::New);
    assert_eq!(ids(&s), ["19530", "19531"]);
}

#[test]
fn palette_switches_the_theme_with_an_effect() {
    let mut s = state(false);
    s.set_themes(vec!["default".into(), "light".into()], "default");
    press(&mut s, ch(':'));
    typ(&mut s, "theme light");
    assert_eq!(
        s.palette().unwrap().entries[0].target,
        PaletteTarget::Theme("light".into())
    );
    let fx = press(&mut s, key(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::SwitchTheme("light".into())]);
    assert_eq!(s.theme_name(), "light");
}

#[test]
fn palette_opens_a_write_dialog_by_name() {
    let mut s = state(false);
    select(&mut s, "19530");
    press(&mut s, ch(':'));
    typ(&mut s, "acknowledge");
    press(&mut s, key(KeyCode::Enter));
    assert!(s.dialog().is_some(), "{}", status_text(&s));
}

#[test]
fn read_only_palette_lists_no_write_action() {
    let mut s = state(true);
    press(&mut s, ch(':'));
    let all = entries(&s);
    assert!(!all.is_empty());
    for name in [
        "acknowledge",
        "set_status",
        "cancel",
        "add_message",
        "supplement",
    ] {
        assert!(
            !all.iter().any(|(_, l)| l.starts_with(&format!("{name}:"))),
            "{name} offered read-only: {all:?}"
        );
    }
    // Local notes are not writes to a carrier.
    assert!(all.iter().any(|(_, l)| l.starts_with("note:")), "{all:?}");
}

#[test]
fn nothing_matching_says_so_on_enter() {
    let mut s = state(false);
    press(&mut s, ch(':'));
    typ(&mut s, "zzzzqqqxx");
    assert!(s.palette().unwrap().entries.is_empty());
    press(&mut s, key(KeyCode::Enter));
    assert!(s.palette().is_none());
    assert!(status_text(&s).contains("nothing matches"));
    assert_eq!(s.focus(), Focus::Table);
}

#[test]
fn fuzzy_is_a_ranked_subsequence() {
    let q: Vec<char> = "fb".chars().collect();
    assert!(fuzzy_score(&q, "foo bar".chars()).is_some());
    assert!(fuzzy_score(&q, "bf".chars()).is_none());
    let tight = fuzzy_score(&q, "fbx".chars()).unwrap();
    let loose = fuzzy_score(&q, "fxxxxb".chars()).unwrap();
    assert!(tight > loose);
}

#[test]
fn palette_keeps_only_the_best_orders_at_scale() {
    let mut s = state(false);
    let many: Vec<_> = (0..5000)
        .map(|i| {
            order(
                &format!("{}", 700_000 + i),
                "new",
                chrono::Duration::hours(1),
                "A",
                "B",
                "Fiber",
            )
        })
        .collect();
    s.upsert_orders(many);
    press(&mut s, ch(':'));
    typ(&mut s, "7");
    let orders = s
        .palette()
        .unwrap()
        .entries
        .iter()
        .filter(|e| e.kind == "order")
        .count();
    assert_eq!(orders, orderdesk::app::ORDER_HITS);
}
