//! Application-level resolution: causally ordered writes apply in order; concurrent ones are
//! both kept and counted as pending resolutions — nothing is lost, someone must decide.

use super::{ConflictResolver, Resolution, Version};
use crate::model::KeyClass;

/// Keep both versions of a conflict.
pub struct AppLevel;

impl ConflictResolver for AppLevel {
    fn resolve(&self, class: KeyClass, _: &Version, _: &Version, concurrent: bool) -> Resolution {
        if concurrent {
            Resolution::KeepBoth
        } else if matches!(class, KeyClass::Counter | KeyClass::Set) {
            Resolution::Merge
        } else {
            Resolution::TakeIncoming
        }
    }
    fn local_write_can_lose(&self, _: KeyClass) -> bool {
        false
    }
}
