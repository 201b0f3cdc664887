//! Last writer wins: the higher (timestamp, origin) survives, whatever causality says — so a
//! skewed clock can make a later write lose (a "wrong winner").

use super::{ConflictResolver, Resolution, Version};
use crate::model::KeyClass;

/// LWW on each region's own clock.
pub struct LastWriterWins;

impl ConflictResolver for LastWriterWins {
    fn resolve(&self, _: KeyClass, current: &Version, incoming: &Version, _: bool) -> Resolution {
        if incoming.lww_key() > current.lww_key() {
            Resolution::TakeIncoming
        } else {
            Resolution::KeepCurrent
        }
    }
    fn local_write_can_lose(&self, _: KeyClass) -> bool {
        true
    }
}
