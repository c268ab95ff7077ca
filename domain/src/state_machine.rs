//! What every typed life cycle shares: the error for a move a state does not allow, the error
//! for a stored name no state has, and [`states!`], which declares a state enum with its stored
//! names (`as_str`, `FromStr`, `Display`) so persistence maps it to and from a status column.

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("cannot move from {from} to {to}")]
pub struct TransitionError {
    pub from: &'static str,
    pub to: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown state {0:?}")]
pub struct UnknownState(pub String);

/// `states!(Name { Variant => "stored name", … })`.
macro_rules! states {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::state_machine::UnknownState;
            fn from_str(s: &str) -> Result<Self, $crate::state_machine::UnknownState> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::state_machine::UnknownState(other.into())),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use states;
