//! The `named_enum!` macro: closed enums with a stable machine code plus Simplified Chinese and
//! English display names. Pure; must not import rusqlite, egui, tokio or `crate::store`.

/// Declare a `Copy` enum whose variants carry `(code, name_zh, name_en)`; generates serde (by code),
/// `ALL`, `code()`, `name_zh()`, `name_en()` and `from_code()`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $variant:ident => ($code:literal, $zh:literal, $en:literal) ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $(
                #[doc = $en]
                #[serde(rename = $code)]
                $variant
            ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable machine code (CSV, JSON, event log).
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Simplified Chinese display name.
            pub fn name_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// English display name.
            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// Parse a stable code; `None` when the code is unknown.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use named_enum;
