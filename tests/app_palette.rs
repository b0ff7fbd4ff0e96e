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

// --- views of one's own ----------------------------------------------------

use orderdesk::app::{Column, Sort, SortColumn, UserView};

fn my_views() -> Vec<UserView> {
    vec![
        UserView::from_names(
            "fiber",
            "all",
            "fiber 250",
            Some(("delivery", true)),
            &["customer".into(), "order".into(), "updated".into()],
        )
        .unwrap(),
        UserView::from_names("new ones", "new", "", None, &[]).unwrap(),
    ]
}

#[test]
fn views_from_the_config_are_keys_after_the_built_in_ones() {
    let mut s = state(false);
    s.set_user_views(my_views());
    press(&mut s, ch('5'));
    assert_eq!(s.active_user_view(), Some(0));
    assert_eq!(s.filter_input().text(), "fiber 250");
    // Every view (within = all): the delivered 19460 is in, sorted by
    // delivery, latest first.
    assert_eq!(ids(&s), ["19530", "19520", "19460"]);
    assert_eq!(
        s.store().sort(),
        Sort {
            column: SortColumn::Schedule,
            reversed: true
        }
    );
    assert_eq!(
        s.columns(),
        [Column::Customer, Column::Order, Column::Updated]
    );
    // The second narrows the new view; with no sort of its own the sort
    // stays.
    press(&mut s, ch('6'));
    let mut new = ids(&s);
    new.sort();
    assert_eq!(new, ["19530", "19531"]);
    assert_eq!(s.store().sort().column, SortColumn::Schedule);
    assert_eq!(s.columns(), Column::ALL);
    // A built-in view leaves it: its filter goes with it.
    press(&mut s, ch('1'));
    assert_eq!(s.active_user_view(), None);
    assert_eq!(s.filter_input().text(), "");
    assert_eq!(ids(&s).len(), 6);
}

#[test]
fn a_missing_view_key_says_how_to_add_one() {
    let mut s = state(false);
    press(&mut s, ch('7'));
    assert_eq!(s.active_user_view(), None);
    assert!(status_text(&s).contains("no view 7"), "{}", status_text(&s));
    assert!(status_text(&s).contains("[[view]]"));
}

#[test]
fn views_are_offered_in_the_palette_by_name() {
    let mut s = state(false);
    s.set_user_views(my_views());
    press(&mut s, ch(':'));
    typ(&mut s, "new ones");
    let first = &s.palette().unwrap().entries[0];
    assert_eq!(first.kind, "view");
    assert_eq!(first.key, "6");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.active_user_view(), Some(1));
}

#[test]
fn angle_brackets_pick_the_sort_column_shown_next() {
    let mut s = state(false);
    assert_eq!(s.store().sort().column, SortColumn::Age);
    press(&mut s, ch('>'));
    assert_eq!(s.store().sort().column, SortColumn::Updated);
    press(&mut s, ch('<'));
    press(&mut s, ch('<'));
    assert_eq!(s.store().sort().column, SortColumn::Stage);
    // In a view of one's own, its columns in its order.
    s.set_user_views(my_views());
    press(&mut s, ch('5'));
    press(&mut s, ch('>'));
    // Sorted by delivery, not shown: `>` starts at the first column.
    assert_eq!(s.store().sort().column, SortColumn::Customer);
    press(&mut s, ch('>'));
    assert_eq!(s.store().sort().column, SortColumn::Id);
    press(&mut s, ch('>'));
    assert_eq!(s.store().sort().column, SortColumn::Updated);
    press(&mut s, ch('>'));
    assert_eq!(s.store().sort().column, SortColumn::Customer);
    assert!(!s.store().sort().reversed);
}

#[test]
fn ctrl_s_in_the_filter_saves_a_view_with_the_right_toml() {
    let mut s = state(false);
    press(&mut s, ch('3'));
    press(&mut s, ch('S'));
    press(&mut s, ch('/'));
    typ(&mut s, "fiber \"x\"");
    press(&mut s, ctrl('s'));
    assert_eq!(s.layer(), Layer::Palette);
    typ(&mut s, "new fiber");
    let fx = press(&mut s, key(KeyCode::Enter));
    let toml = match fx.as_slice() {
        [Effect::SaveView { name, toml }] => {
            assert_eq!(name, "new fiber");
            toml.clone()
        }
        other => panic!("expected one SaveView, got {other:?}"),
    };
    assert_eq!(
        toml,
        "\n[[view]]\nname = \"new fiber\"\nfilter = \"fiber \\\"x\\\"\"\nwithin = \"new\"\nsort = \"-age\"\n"
    );
    // The config reads it back as it was saved.
    let back = orderdesk::config::parse_views(&toml).unwrap();
    assert_eq!(back[0].filter, "fiber \"x\"");
    assert_eq!(back[0].within, "new");
    assert_eq!(back[0].sort, Some(("age".into(), true)));
    // It is view 5 at once.
    assert_eq!(s.active_user_view(), Some(0));
    assert_eq!(s.user_views()[0].name, "new fiber");
    assert!(status_text(&s).contains("view 5"), "{}", status_text(&s));
}

#[test]
fn saving_a_view_needs_a_new_name() {
    let mut s = state(false);
    s.set_user_views(my_views());
    press(&mut s, ch('/'));
    press(&mut s, ctrl('s'));
    typ(&mut s, "fiber");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(status_text(&s).contains("already"), "{}", status_text(&s));
    press(&mut s, ch('/'));
    press(&mut s, ctrl('s'));
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(status_text(&s).contains("needs a name"));
}

#[test]
fn a_bad_view_config_is_an_error_at_its_line() {
    let text = "[[view]]\nname = \"x\"\ncolumns = [\"order\",\n  \"colour\"]\n";
    let problems = orderdesk::config::parse_views(text).unwrap_err();
    let (at, message) = &problems[0];
    let at = at.expect("a place");
    assert_eq!((at.line, at.column), (4, 3));
    assert!(message.contains("unknown column \"colour\""), "{message}");
    assert!(message.contains("known: order, status"), "{message}");
    // Every name the config accepts means something to the console.
    for c in orderdesk::config::VIEW_COLUMNS {
        assert!(Column::from_name(c).is_some(), "{c}");
    }
    for c in orderdesk::config::VIEW_SORTS {
        assert!(
            UserView::from_names("v", "all", "", Some((c, false)), &[]).is_ok(),
            "{c}"
        );
    }
    for w in orderdesk::config::VIEW_WITHIN {
        assert!(UserView::from_names("v", w, "", None, &[]).is_ok(), "{w}");
    }
}

// --- copy and open ---------------------------------------------------------

#[test]
fn y_copies_the_selected_key() {
    let mut s = state(false);
    select(&mut s, "19530");
    let fx = press(&mut s, ch('y'));
    assert_eq!(
        fx,
        vec![Effect::Copy {
            what: "the key".into(),
            text: "tg/19530".into()
        }]
    );
    assert!(status_text(&s).contains("copied the key of tg/19530"));
}

#[test]
fn big_y_chooses_a_field_to_copy() {
    let mut s = state(false);
    select(&mut s, "19530");
    press(&mut s, ch('Y'));
    assert_eq!(s.layer(), Layer::Palette);
    let labels = entries(&s);
    assert!(labels.iter().any(|(_, l)| l == "id: 19530"), "{labels:?}");
    assert!(labels.iter().any(|(_, l)| l == "customer: Åsa Lindqvist"));
    typ(&mut s, "custo");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::Copy {
            what: "customer".into(),
            text: "Åsa Lindqvist".into()
        }]
    );
    assert!(status_text(&s).contains("copied customer of tg/19530"));
}

#[test]
fn o_opens_the_portal_when_the_carrier_has_one() {
    let mut s = state(false);
    select(&mut s, "19530");
    let fx = press(&mut s, ch('o'));
    assert!(fx.is_empty());
    let said = status_text(&s);
    assert!(said.contains("carrier tg has no portal address"), "{said}");
    assert!(said.contains("portal_url"), "{said}");
    s.set_portals(vec![(
        "tg".into(),
        "https://portal.example/orders/{id}?tab=1".into(),
    )]);
    let fx = press(&mut s, ch('o'));
    assert_eq!(
        fx,
        vec![Effect::OpenUrl(
            "https://portal.example/orders/19530?tab=1".into()
        )]
    );
    assert!(status_text(&s).contains("opening tg/19530"));
}

// --- relative or absolute times --------------------------------------------

#[test]
fn big_t_toggles_times_and_asks_to_keep_the_choice() {
    let mut s = state(false);
    assert!(!s.absolute_times());
    let fx = press(&mut s, ch('T'));
    assert!(s.absolute_times());
    assert_eq!(fx, vec![Effect::SaveTimes { absolute: true }]);
    assert!(status_text(&s).contains("Europe/Stockholm"));
    let fx = press(&mut s, ch('T'));
    assert!(!s.absolute_times());
    assert_eq!(fx, vec![Effect::SaveTimes { absolute: false }]);
    // In the detail pane too.
    press(&mut s, key(KeyCode::Enter));
    let fx = press(&mut s, ch('T'));
    assert_eq!(fx, vec![Effect::SaveTimes { absolute: true }]);
}
