//! Merge and CRDT strategies: counters add and sets union, so no increment or insert is lost;
//! registers (and bookings) fall back to last-writer-wins — on hybrid logical clocks for the
//! CRDT strategy (an LWW register CRDT), on raw clocks for plain Merge.

use super::{ConflictResolver, Resolution, Version};
use crate::model::KeyClass;

/// `Merge` (`hlc: false`) or `Crdt` (`hlc: true`).
pub struct MergeOrCrdt {
    pub hlc: bool,
}

impl ConflictResolver for MergeOrCrdt {
    fn resolve(
        &self,
        class: KeyClass,
        current: &Version,
        incoming: &Version,
        _: bool,
    ) -> Resolution {
        match class {
            KeyClass::Counter | KeyClass::Set => Resolution::Merge,
            KeyClass::Register | KeyClass::Booking => {
                if incoming.lww_key() > current.lww_key() {
                    Resolution::TakeIncoming
                } else {
                    Resolution::KeepCurrent
                }
            }
        }
    }
    fn local_write_can_lose(&self, class: KeyClass) -> bool {
        matches!(class, KeyClass::Register | KeyClass::Booking)
    }
    fn uses_hlc(&self) -> bool {
        self.hlc
    }
}
