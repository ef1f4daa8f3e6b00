//! One i18n path for every message the console shows (issue 17, "Words"): a source scan of the
//! console's panels and map layers that fails when user-visible text bypasses `src/i18n.rs`.
//!
//! Why a scan of the source and not of the screens: a screen test sees only the panels a test
//! happens to open, in the states it reaches; every literal in the source is seen. Two rules,
//! each chosen so that it cannot be satisfied by accident and has few false alarms:
//!
//! 1. **No Chinese outside the table.** A string literal holding a Han character in
//!    `src/ui/*.rs` or `src/map/*.rs` (comments and `#[cfg(test)]` modules aside) is Chinese text
//!    that did not go through `tr(lang, Msg::…)`: it shows Chinese to an English-mode officer, or
//!    is half of an inline `lang.pick("中文", "English")` pair the table should own (one place
//!    to review wording, and `i18n`'s own test checks both languages of every entry). Data
//!    (place, unit and warehouse names) carries its own zh/en fields and is never a literal.
//! 2. **No English-only literal as a widget's text.** A string literal with a word in it that is
//!    passed straight as the text argument of a widget (`label`, `button`, `small_button`,
//!    `heading`, `on_hover_text`, `hint_text`, `RichText::new`, `Button::new`, `Window::new`,
//!    `CollapsingHeader::new`, `selectable_label`, `checkbox`, `colored_label`,
//!    `ComboBox::new`'s label, `radio_value` / `selectable_value`'s text) shows English to a
//!    Chinese-mode officer. Literals inside `format!` are not checked by this rule (units such as
//!    `km`, `UTC` and `N=` are fine there); rule 1 still sees their Chinese.
//!
//! `src/ui/wall/` is not scanned: the commander's wall is bilingual on purpose (every label in
//! both languages at once, for a room of readers of either), not switched by the officer's
//! language. The allow-list below is short and says why for each entry.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::path::{Path, PathBuf};

/// (file, literal) pairs allowed to hold Chinese, each with its reason.
const ALLOWED_CJK: &[(&str, &str, &str)] = &[
    (
        "src/ui/coverage.rs",
        "帐篷",
        "the supplies field's initial query: an item name matched against the plans' data \
         (like a search term), which the officer edits; not a message",
    ),
    (
        "src/ui/mod.rs",
        "应急管理“一张图”指挥大屏 OneMap wall",
        "the wall's own window title: bilingual at once, like every text of the wall",
    ),
];

/// Widget calls whose argument at the given index is text the officer reads.
const TEXT_ARGS: &[(&str, usize)] = &[
    ("label", 0),
    ("button", 0),
    ("small_button", 0),
    ("heading", 0),
    ("on_hover_text", 0),
    ("hint_text", 0),
    ("RichText::new", 0),
    ("Button::new", 0),
    ("Window::new", 0),
    ("CollapsingHeader::new", 0),
    ("selectable_label", 1),
    ("checkbox", 1),
    ("colored_label", 1),
    ("ComboBox::new", 1),
    ("radio_value", 2),
    ("selectable_value", 2),
];

/// A string literal found in a source file: its text and where it starts (byte offset into the
/// code-only text, in which comments are dropped and literal contents kept).
struct Literal {
    text: String,
    line: usize,
    /// The code before it, with every literal's contents blanked (so quotes and parentheses in
    /// strings do not confuse the call matching).
    before: String,
    /// The first code character after it.
    next: Option<char>,
}

/// The string literals of a Rust source, comments skipped, `#[cfg(test)]` modules dropped.
fn literals(src: &str) -> Vec<Literal> {
    let test_mod = src
        .match_indices("#[cfg(test)]")
        .find(|(i, m)| src[i + m.len()..].trim_start().starts_with("mod "))
        .map(|(i, _)| i);
    let src = &src[..test_mod.unwrap_or(src.len())];
    let c: Vec<char> = src.chars().collect();
    let mut code = String::new();
    let mut out: Vec<Literal> = Vec::new();
    let mut pending: Vec<usize> = Vec::new(); // literals waiting for their next code char
    let (mut i, mut line) = (0usize, 1usize);
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let push_code = |code: &mut String, out: &mut Vec<Literal>, pending: &mut Vec<usize>, ch: char| {
        if !ch.is_whitespace() {
            for k in pending.drain(..) {
                out[k].next = Some(ch);
            }
        }
        code.push(ch);
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
        }
        // Comments.
        if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if ch == '/' && c.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < c.len() && !(c[i] == '*' && c[i + 1] == '/') {
                if c[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
            continue;
        }
        // Char literals ('"', '\'', '…') and lifetimes ('a).
        if ch == '\'' {
            if c.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                push_code(&mut code, &mut out, &mut pending, 'c');
                continue;
            }
            if c.get(i + 2) == Some(&'\'') {
                i += 3;
                push_code(&mut code, &mut out, &mut pending, 'c');
                continue;
            }
            push_code(&mut code, &mut out, &mut pending, ch);
            i += 1;
            continue;
        }
        // Raw strings r"…", r#"…"#.
        let raw = ch == 'r' && (i == 0 || !ident(c[i - 1])) && {
            let mut j = i + 1;
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            c.get(j) == Some(&'"')
        };
        if raw {
            let mut j = i + 1;
            let mut hashes = 0;
            while c[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let start_line = line;
            let mut text = String::new();
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if c[j] == '\n' {
                    line += 1;
                }
                text.push(c[j]);
                j += 1;
            }
            record(&mut out, &mut pending, &mut code, text, start_line);
            i = j;
            continue;
        }
        if ch == '"' {
            let start_line = line;
            let mut j = i + 1;
            let mut text = String::new();
            while j < c.len() && c[j] != '"' {
                if c[j] == '\\' {
                    // A line-continuation escape keeps the text on one line.
                    if c.get(j + 1) == Some(&'\n') {
                        line += 1;
                        j += 2;
                        while j < c.len() && c[j].is_whitespace() {
                            if c[j] == '\n' {
                                line += 1;
                            }
                            j += 1;
                        }
                        continue;
                    }
                    text.push(c[j + 1]);
                    j += 2;
                    continue;
                }
                if c[j] == '\n' {
                    line += 1;
                }
                text.push(c[j]);
                j += 1;
            }
            record(&mut out, &mut pending, &mut code, text, start_line);
            i = j + 1;
            continue;
        }
        push_code(&mut code, &mut out, &mut pending, ch);
        i += 1;
    }
    out
}

/// Keep a literal found at `line` (its next code character comes later) and blank it in `code`.
fn record(out: &mut Vec<Literal>, pending: &mut Vec<usize>, code: &mut String, text: String, line: usize) {
    out.push(Literal {
        text,
        line,
        before: code.clone(),
        next: None,
    });
    pending.push(out.len() - 1);
    code.push_str("\"\"");
}

/// The call a literal is an argument of, and which argument: the innermost unclosed `(` before
/// it, the path before that parenthesis (`label`, `RichText::new`), and the number of top-level
/// commas between.
fn enclosing_call(before: &str) -> Option<(String, usize)> {
    let b: Vec<char> = before.chars().collect();
    let (mut depth, mut commas) = (0i32, 0usize);
    let mut k = b.len();
    while k > 0 {
        k -= 1;
        match b[k] {
            ')' | ']' | '}' => depth += 1,
            '[' | '{' if depth == 0 => return None,
            '(' | '[' | '{' if depth > 0 => depth -= 1,
            '(' => {
                let mut s = k;
                while s > 0 && (b[s - 1].is_alphanumeric() || b[s - 1] == '_' || b[s - 1] == ':' || b[s - 1] == '!') {
                    s -= 1;
                }
                let name: String = b[s..k].iter().collect();
                return Some((name, commas));
            }
            ',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    None
}

fn is_han(ch: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&ch) || ('\u{3400}'..='\u{4dbf}').contains(&ch)
}

fn has_word(text: &str) -> bool {
    let mut run = 0;
    for ch in text.chars() {
        if ch.is_ascii_alphabetic() {
            run += 1;
            if run >= 2 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn sources(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["src/ui", "src/map"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            // Subfolders (src/ui/wall) are not scanned: see the module doc.
            if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Every offence of the two rules in one source text (`file` names it in the messages).
fn offences(file: &str, src: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for lit in literals(src) {
        if lit.text.chars().any(is_han) {
            let allowed = ALLOWED_CJK.iter().any(|(f, t, _)| *f == file && lit.text == *t);
            if !allowed {
                bad.push(format!(
                    "{file}:{}: Chinese outside src/i18n.rs: {:?}",
                    lit.line, lit.text
                ));
            }
            continue;
        }
        if !has_word(&lit.text) || !matches!(lit.next, Some(',') | Some(')')) {
            continue;
        }
        let Some((call, arg)) = enclosing_call(&lit.before) else {
            continue;
        };
        let shown = TEXT_ARGS
            .iter()
            .any(|(name, i)| *i == arg && (call == *name || call.ends_with(&format!("::{name}"))));
        if shown {
            bad.push(format!(
                "{file}:{}: English-only text passed to {call}(): {:?}",
                lit.line, lit.text
            ));
        }
    }
    bad
}

#[test]
fn every_message_of_the_console_goes_through_the_i18n_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    let mut scanned = 0;
    for p in sources(root) {
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let src = std::fs::read_to_string(&p).unwrap();
        scanned += literals(&src).len();
        bad.extend(offences(&rel, &src));
    }
    assert!(
        scanned > 300,
        "the scan saw only {scanned} literals: is it reading the sources?"
    );
    assert!(
        bad.is_empty(),
        "{} message(s) bypass src/i18n.rs:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The scan itself catches what it is meant to, and only that: each rule on a made-up source.
#[test]
fn the_scan_catches_both_kinds_and_skips_comments_ids_and_tests() {
    let src = r##"
        // 注释里的中文 is fine
        fn panel(ui: &mut Ui, lang: Lang) {
            ui.label(lang.pick("已断开", "disconnected"));
            ui.button("Close wall");
            ui.checkbox(&mut on, "Sound on");
            egui::ComboBox::new("drill_speed", tr(lang, Msg::Speed));
            ui.label(format!("{} km", 3));
            ui.label("—");
            let c = '"'; let s = "a \" quote (";
            ui.label(RichText::new(tr(lang, Msg::Ok)).small());
            ui.add(egui::TextEdit::singleline(&mut x).hint_text("type here"));
        }
        #[cfg(test)]
        mod tests { const T: &str = "测试"; }
    "##;
    let bad = offences("x.rs", src);
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(bad[0].contains("x.rs:4: Chinese") && bad[0].contains("已断开"));
    assert!(bad[1].contains("button()") && bad[1].contains("Close wall"));
    assert!(bad[2].contains("checkbox()") && bad[2].contains("Sound on"));
    assert!(bad[3].contains("hint_text()") && bad[3].contains("type here"));
}
