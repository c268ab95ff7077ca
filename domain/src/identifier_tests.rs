use proptest::prelude::*;

use super::*;

#[test]
fn every_known_disguise_of_an_invoice_number_has_the_same_key() {
    let plain = canonical_key("INV-2026-0001");
    for disguised in [
        "INV\u{200B}-2026-0001",
        "IN\u{00AD}V-2026-0001",
        "INV-20\u{2060}26-0001",
        "\u{FEFF}INV-2026-0001",
        "\u{0406}NV-2026-0001",
        "ＩＮＶ－２０２６－０００１",
        "inv 2026 1",
        "Inv/2026/000001",
        "INV-2026\u{034F}-0001",
        "INV-2026-0001\u{FE0F}",
    ] {
        assert_eq!(canonical_key(disguised), plain, "{disguised:?}");
    }
    assert_eq!(plain, "lNV2026-1");
}

#[test]
fn leading_zeros_of_a_later_group_do_not_change_the_key() {
    assert_eq!(
        canonical_key("hx-2027-451"),
        canonical_key("HX-2027-000451")
    );
    assert_eq!(canonical_key("A-007-B-0080"), "A7B80");
    assert_eq!(canonical_key("000"), "0");
    assert_eq!(canonical_key("WR-000-1"), "WR0-1");
}

#[test]
fn cyrillic_and_greek_look_alikes_are_their_latin_letters() {
    // Cyrillic В, Е, Н, С; Greek Α, Ο.
    assert_eq!(canonical_key("\u{0412}\u{0415}\u{041D}\u{0421}-1"), "BEHC1");
    assert_eq!(canonical_key("\u{0391}\u{039F}-1"), "AO1");
    assert_eq!(canonical_key("\u{0432}x-9"), canonical_key("BX-9"));
}

#[test]
fn digit_groups_keep_their_boundaries_and_letters_do_not_need_one() {
    assert_ne!(canonical_key("A1-2"), canonical_key("A12"));
    assert_eq!(canonical_key("A1-2"), "A1-2");
    assert_eq!(canonical_key("po 2027 0002"), canonical_key("PO-2027-0002"));
    assert_eq!(canonical_key("INV-A-1"), canonical_key("INVA1"));
    assert_ne!(canonical_key("B0-1"), canonical_key("BO-1"));
}

#[test]
fn parsing_refuses_controls_bidi_overrides_and_empty_keys() {
    assert_eq!(
        Identifier::parse("INV\u{0}1", 64),
        Err(TextError::ControlCharacter)
    );
    assert_eq!(
        Identifier::parse("INV\u{85}1", 64),
        Err(TextError::ControlCharacter)
    );
    assert_eq!(
        Identifier::parse("INV\u{202E}1", 64),
        Err(TextError::BidiControl)
    );
    assert_eq!(
        Identifier::parse("INV\u{2067}1", 64),
        Err(TextError::BidiControl)
    );
    assert_eq!(Identifier::parse("  ", 64), Err(TextError::Empty));
    assert_eq!(Identifier::parse("--", 64), Err(TextError::NoLetterOrDigit));
    assert_eq!(
        Identifier::parse("\u{200B}", 64),
        Err(TextError::NoLetterOrDigit)
    );
    assert_eq!(
        Identifier::parse("ABCDE", 4),
        Err(TextError::TooLong { max: 4 })
    );
    let id = Identifier::parse(" inv-01 ", 64).unwrap();
    assert_eq!((id.text(), id.key()), ("inv-01", "lNV1"));
}

#[test]
fn names_with_ordinary_unicode_pass_the_text_check() {
    assert_eq!(
        check_text("Blue Sky Trading 蓝天贸易 — Müller & Söhne"),
        Ok(())
    );
}

/// A real identifier's meaning: letter groups and digit groups (no leading zeros), in turn.
/// Letters that TR39 maps to another letter's skeleton (`I` → `l`) are left out so that the
/// generated numbers are really distinct (`I` and `L` stay apart, see the unit test below).
fn real_groups() -> impl Strategy<Value = Vec<(String, String, String)>> {
    prop::collection::vec(("[A-HJ-Z]{1,3}", "[1-9][0-9]{0,4}", "[-/ .]?"), 1..4)
}

fn render(groups: &[(String, String, String)]) -> String {
    groups
        .iter()
        .map(|(letters, digits, sep)| format!("{letters}{sep}{digits}"))
        .collect::<Vec<_>>()
        .join("-")
}

fn real_number() -> impl Strategy<Value = String> {
    real_groups().prop_map(|g| render(&g))
}

const INVISIBLES: [char; 6] = [
    '\u{200B}', '\u{00AD}', '\u{2060}', '\u{FEFF}', '\u{200C}', '\u{200D}',
];

/// One disguise applied at a char boundary.
#[derive(Debug, Clone)]
enum Disguise {
    Invisible(char),
    LowerCase,
    FullWidth,
    LeadingZeros(usize),
    Cyrillic,
}

fn disguise() -> impl Strategy<Value = Disguise> {
    prop_oneof![
        prop::sample::select(INVISIBLES.to_vec()).prop_map(Disguise::Invisible),
        Just(Disguise::LowerCase),
        Just(Disguise::FullWidth),
        (1usize..4).prop_map(Disguise::LeadingZeros),
        Just(Disguise::Cyrillic),
    ]
}

fn apply(number: &str, disguise: &Disguise, at: usize) -> String {
    let chars: Vec<char> = number.chars().collect();
    let at = at % (chars.len() + 1);
    match disguise {
        Disguise::Invisible(c) => {
            let mut out = chars.clone();
            out.insert(at, *c);
            out.into_iter().collect()
        }
        Disguise::LowerCase => number.to_lowercase(),
        Disguise::FullWidth => chars
            .iter()
            .map(|c| char::from_u32(*c as u32 + 0xFEE0).filter(|_| c.is_ascii_alphanumeric()))
            .zip(chars.iter())
            .map(|(wide, c)| wide.unwrap_or(*c))
            .collect(),
        Disguise::LeadingZeros(n) => {
            // Zeros in front of every digit group.
            let mut out = String::new();
            let mut previous_was_digit = false;
            for c in &chars {
                if c.is_ascii_digit() && !previous_was_digit {
                    out.push_str(&"0".repeat(*n));
                }
                // An invisible character inside a digit group does not end it.
                previous_was_digit =
                    c.is_ascii_digit() || (previous_was_digit && INVISIBLES.contains(c));
                out.push(*c);
            }
            out
        }
        Disguise::Cyrillic => number
            .chars()
            .map(|c| match c {
                'A' => '\u{0410}',
                'B' => '\u{0412}',
                'C' => '\u{0421}',
                'E' => '\u{0415}',
                'H' => '\u{041D}',
                'K' => '\u{041A}',
                'M' => '\u{041C}',
                'O' => '\u{041E}',
                'P' => '\u{0420}',
                'T' => '\u{0422}',
                'X' => '\u{0425}',
                other => other,
            })
            .collect(),
    }
}

proptest! {
    #[test]
    fn every_disguise_maps_to_the_same_key(
        number in real_number(),
        disguises in prop::collection::vec((disguise(), any::<usize>()), 1..4),
    ) {
        let mut disguised = number.clone();
        for (d, at) in &disguises {
            disguised = apply(&disguised, d, *at);
        }
        prop_assert_eq!(canonical_key(&disguised), canonical_key(&number), "{:?}", disguised);
    }

    #[test]
    fn distinct_real_numbers_keep_distinct_keys(a in real_groups(), b in real_groups()) {
        let meaning = |g: &[(String, String, String)]| -> Vec<(String, String)> {
            g.iter().map(|(l, d, _)| (l.clone(), d.clone())).collect()
        };
        prop_assume!(meaning(&a) != meaning(&b));
        prop_assert_ne!(canonical_key(&render(&a)), canonical_key(&render(&b)));
    }

    #[test]
    fn digit_groups_stay_distinct_however_they_are_split(
        a in prop::collection::vec("[1-9][0-9]{0,3}", 1..4),
        b in prop::collection::vec("[1-9][0-9]{0,3}", 1..4),
    ) {
        prop_assume!(a != b);
        prop_assert_ne!(canonical_key(&a.join("-")), canonical_key(&b.join(" ")));
    }

    #[test]
    fn the_key_never_panics_and_ignores_surrounding_invisibles(raw in "\\PC{0,24}") {
        let key = canonical_key(&raw);
        prop_assert_eq!(canonical_key(&format!("\u{200B}{raw}\u{FEFF}")), key);
    }
}

#[test]
fn the_latin_capital_i_and_l_stay_distinct() {
    assert_ne!(canonical_key("INV-1"), canonical_key("LNV-1"));
}
