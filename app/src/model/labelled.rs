//! One way to declare an enum that is stored and shown: `labelled_enum!`.
//!
//! Most model enums carry a code (`very_high`: stored in the database, posted by forms, put in
//! links and CSV files) and words for people (`Very high`). Written out by hand, every enum
//! repeated the same four pieces — `ALL`, `as_str`, `label`, `parse` — and they drifted: some
//! `parse` trimmed the input and some did not, some enums had no `ALL`. The macro writes them
//! once, from one table of `Variant => ("code", "Label")`, so a code, its words and its place in
//! `ALL` cannot disagree.
//!
//! ```ignore
//! labelled_enum! {
//!     /// Doc comments, derives and `#[serde(…)]` pass through unchanged.
//!     #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
//!     pub enum RiskLevel {
//!         Low => ("low", "Low"),
//!         VeryHigh => ("very_high", "Very high"),
//!     }
//! }
//! ```
//!
//! Every enum gets, in declaration order (the order selects show, and `PartialOrd` follows):
//! - `ALL`: every value;
//! - `as_str`: the code;
//! - `label`: the words (only with the `("code", "Label")` form; `Variant => "code"` declares an
//!   enum whose words live with its one user, such as a sort column);
//! - `parse`: the value with that exact code, surrounding whitespace ignored;
//! - `parse_loose`: the same, in any case and with spaces or hyphens for underscores — for what
//!   people type (CSV imports, `CAB member`, `in progress`).
//!
//! The enum's own behaviour (`is_final`, `rank`, …) stays in a plain `impl` beside it.

/// Declares a labelled enum; see the module documentation.
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => ($code:literal, $label:literal)
            ),+ $(,)?
        }
    ) => {
        $crate::model::labelled::labelled_enum! {
            @coded
            $(#[$meta])*
            $vis enum $name {
                $( $(#[$variant_meta])* $variant => $code, )+
            }
        }

        impl $name {
            /// The words people read for this value.
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label, )+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $code:literal
            ),+ $(,)?
        }
    ) => {
        $crate::model::labelled::labelled_enum! {
            @coded
            $(#[$meta])*
            $vis enum $name {
                $( $(#[$variant_meta])* $variant => $code, )+
            }
        }
    };
    (
        @coded
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            /// The code: stored, posted by forms, used in links and files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// The value whose code is `value` (surrounding whitespace ignored); `None` for
            /// anything else.
            pub fn parse(value: &str) -> Option<Self> {
                let value = value.trim();
                Self::ALL.into_iter().find(|v| v.as_str() == value)
            }

            /// Like `parse`, but in any case and with spaces or hyphens for the code's
            /// underscores: `Change manager`, `CAB-member`, `xl`.
            pub fn parse_loose(value: &str) -> Option<Self> {
                let wanted = $crate::model::labelled::loose(value);
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(&wanted))
            }
        }
    };
}

pub(crate) use labelled_enum;

/// What `parse_loose` compares with a code: trimmed, lower case, spaces and hyphens as
/// underscores. (Codes are ASCII, so comparing ignoring ASCII case is comparing lower case.)
#[doc(hidden)]
pub fn loose(value: &str) -> String {
    value.trim().to_lowercase().replace([' ', '-'], "_")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    labelled_enum! {
        /// A sample: derives and serde attributes pass through.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
        #[serde(rename_all = "snake_case")]
        pub enum Level {
            #[default]
            Low => ("low", "Low"),
            /// Variant docs pass through too.
            #[serde(rename = "mid")]
            Medium => ("medium", "Medium"),
            VeryHigh => ("very_high", "Very high"),
        }
    }

    labelled_enum! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Size {
            S => "S",
            Xl => "XL",
        }
    }

    #[test]
    fn all_follows_declaration_order() {
        assert_eq!(Level::ALL, [Level::Low, Level::Medium, Level::VeryHigh]);
        assert!(Level::Low < Level::VeryHigh);
        assert_eq!(Level::default(), Level::Low);
        assert_eq!(Size::ALL.len(), 2);
    }

    #[test]
    fn code_and_words() {
        assert_eq!(Level::VeryHigh.as_str(), "very_high");
        assert_eq!(Level::VeryHigh.label(), "Very high");
        assert_eq!(Size::Xl.as_str(), "XL");
    }

    #[test]
    fn parse_reads_every_code_back() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), Some(level));
            assert_eq!(Level::parse_loose(level.as_str()), Some(level));
        }
        for size in Size::ALL {
            assert_eq!(Size::parse(size.as_str()), Some(size));
        }
    }

    #[test]
    fn parse_ignores_surrounding_whitespace_only() {
        assert_eq!(Level::parse("  very_high\n"), Some(Level::VeryHigh));
        assert_eq!(Level::parse("very high"), None);
        assert_eq!(Level::parse("Very_High"), None);
        assert_eq!(Level::parse("Very high"), None);
    }

    #[test]
    fn unknown_text_is_none() {
        assert_eq!(Level::parse(""), None);
        assert_eq!(Level::parse("extreme"), None);
        assert_eq!(Level::parse_loose("extreme"), None);
        assert_eq!(Size::parse("M"), None);
    }

    #[test]
    fn parse_loose_takes_case_spaces_and_hyphens() {
        assert_eq!(Level::parse_loose(" Very high "), Some(Level::VeryHigh));
        assert_eq!(Level::parse_loose("VERY-HIGH"), Some(Level::VeryHigh));
        assert_eq!(Size::parse_loose("xl"), Some(Size::Xl));
        assert_eq!(Size::parse_loose("x l"), None);
    }

    #[test]
    fn serde_is_the_enums_own() {
        assert_eq!(serde_json::to_string(&Level::Medium).unwrap(), "\"mid\"");
        assert_eq!(
            serde_json::to_string(&Level::VeryHigh).unwrap(),
            "\"very_high\""
        );
    }

    /// Every enum declared with the macro: each code reads back to its value, codes are
    /// distinct and ASCII (what `parse_loose` relies on), and every labelled value has words.
    #[test]
    fn real_enums_read_their_codes_back() {
        use crate::model::{
            access, bia, cab, calendar, change, change_request, clause_library, continuity_plan,
            gap, improvement, internal_audit, listing, management_review, meeting, nonconformity,
            objective, risk, schedule, service, sms_document,
        };
        macro_rules! check {
            ($($t:ty),+ $(,)?) => {$(
                let codes: Vec<&str> = <$t>::ALL.iter().map(|v| v.as_str()).collect();
                let distinct: std::collections::HashSet<&str> = codes.iter().copied().collect();
                assert_eq!(distinct.len(), codes.len(), "{}", stringify!($t));
                for value in <$t>::ALL {
                    assert!(value.as_str().is_ascii(), "{}", stringify!($t));
                    assert_eq!(<$t>::parse(value.as_str()), Some(value));
                    assert_eq!(<$t>::parse(&format!(" {} ", value.as_str())), Some(value));
                    assert_eq!(<$t>::parse_loose(value.as_str()), Some(value));
                }
                assert_eq!(<$t>::parse("no such code"), None);
            )+};
        }
        macro_rules! check_labels {
            ($($t:ty),+ $(,)?) => {$(
                check!($t);
                assert!(<$t>::ALL.iter().all(|v| !v.label().is_empty()));
            )+};
        }
        check_labels!(
            access::Role,
            access::RecordType,
            bia::ImpactCategory,
            cab::BoardKind,
            calendar::CalendarView,
            change::ChangeType,
            change::ChangeState,
            change::ChangeAction,
            continuity_plan::PlanState,
            continuity_plan::Section,
            continuity_plan::ExerciseKind,
            continuity_plan::ExerciseResult,
            gap::Maturity,
            gap::AssessmentState,
            gap::EvidenceKind,
            improvement::Source,
            improvement::Priority,
            improvement::ImprovementState,
            improvement::ImprovementAction,
            improvement::ClosureCode,
            internal_audit::AuditState,
            internal_audit::AuditAction,
            internal_audit::ChecklistResult,
            internal_audit::FindingGrade,
            management_review::ReviewState,
            management_review::Trend,
            meeting::MeetingState,
            nonconformity::Grade,
            nonconformity::FoundIn,
            nonconformity::NcState,
            objective::Frequency,
            risk::RiskLevel,
            schedule::WindowKind,
            service::Criticality,
            service::ServiceStatus,
            sms_document::DocState,
        );
        check!(
            change_request::ChangeSort,
            clause_library::DocumentedKind,
            improvement::Effort,
            improvement::Direction,
            listing::SortDirection,
            service::ServiceSort,
            service::ArchiveFilter,
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_only_reads_codes(text in ".{0,20}") {
            if let Some(level) = Level::parse(&text) {
                prop_assert_eq!(level.as_str(), text.trim());
            }
            if let Some(level) = Level::parse_loose(&text) {
                prop_assert_eq!(super::loose(&text), level.as_str());
            }
        }
    }
}
