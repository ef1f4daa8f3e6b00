//! Registers the bundled CJK font (Noto Sans CJK SC, subset to GB2312 plus the project's own
//! strings; OFL 1.1, see assets/fonts/OFL.txt) with egui, first in the proportional family so
//! Chinese and Latin text share one face, and as a fallback for monospace.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// The bundled font file.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-OneMap.otf");
const NAME: &str = "NotoSansSC-OneMap";

/// Font definitions with the CJK font installed (also used by UI tests).
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert(NAME.to_owned(), Arc::new(FontData::from_static(CJK_FONT)));
    fonts
        .families
        .entry(FontFamily::Proportional)
        .or_default()
        .insert(0, NAME.to_owned());
    fonts
        .families
        .entry(FontFamily::Monospace)
        .or_default()
        .push(NAME.to_owned());
    fonts
}

/// Install the fonts into a context.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}

/// The characters of `text` the bundled fonts cannot draw (empty = all drawable).
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let mut fonts = egui::epaint::text::Fonts::new(egui::epaint::text::TextOptions::default(), definitions());
    let id = egui::FontId::proportional(14.0);
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_control() && !fonts.has_glyph(&id, *c))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::{Lang, Msg, tr};

    #[test]
    fn every_ui_string_renders() {
        let all: String = Msg::ALL
            .iter()
            .flat_map(|m| [tr(Lang::Zh, *m), tr(Lang::En, *m)])
            .collect();
        assert_eq!(missing_glyphs(&all), Vec::<char>::new());
        // A character outside the subset is reported, so the check above can fail.
        assert_eq!(missing_glyphs("\u{2f00}"), vec!['\u{2f00}']);
    }
}
