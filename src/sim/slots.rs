//! Per-request-slot tables indexed without bounds checks.
//!
//! Every request slot the simulator hands out is an index its tables already hold: a slot is
//! either pushed onto all of them at once (its index is their length minus one) or taken from
//! the free list, which holds only slots released earlier; no table ever shrinks. So a slot
//! read from a [`super::ReqRef`] or the free list is always in range, and checking it again on
//! every lookup (several per request on the hot path) buys nothing. The check stays in debug
//! builds (`cargo test` without `--release`); the README's test command and CI build with
//! `--release`, so there it is the invariant above, not the check, that keeps a lookup in
//! range.

use std::ops::{Deref, DerefMut, Index, IndexMut};

/// A table with one entry per request slot (see the module docs for the invariant).
#[derive(Debug, Clone)]
pub(super) struct Slots<T>(Vec<T>);

impl<T> Slots<T> {
    pub(super) fn with_capacity(n: usize) -> Self {
        Slots(Vec::with_capacity(n))
    }

    /// Adds the entry of a new slot (the next index).
    #[inline]
    pub(super) fn push(&mut self, x: T) {
        self.0.push(x);
    }
}

/// Read-only and per-entry access as a slice: a slice cannot change the table's length.
impl<T> Deref for Slots<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for Slots<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> Index<u32> for Slots<T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, slot: u32) -> &T {
        debug_assert!((slot as usize) < self.0.len(), "request slot out of range");
        // SAFETY: slots index only slots handed out, all below the length (module docs).
        unsafe { self.0.get_unchecked(slot as usize) }
    }
}

impl<T> IndexMut<u32> for Slots<T> {
    #[inline(always)]
    fn index_mut(&mut self, slot: u32) -> &mut T {
        debug_assert!((slot as usize) < self.0.len(), "request slot out of range");
        // SAFETY: as for `index`.
        unsafe { self.0.get_unchecked_mut(slot as usize) }
    }
}
