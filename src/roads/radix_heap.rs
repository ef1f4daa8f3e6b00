//! The monotone radix heap behind every Dijkstra in `roads` (plain searches and the hierarchy's
//! contraction and PHAST queries). Its own module so `search` and `ch` both import it without
//! importing each other. Pure; no I/O.

/// Monotone radix heap of `(key, value)` pairs: keys pushed are never below the last popped
/// key, which holds for Dijkstra. O(1) amortised push, cheap pop.
pub(crate) struct RadixHeap {
    buckets: [Vec<(u32, u32)>; 33],
    last: u32,
    len: usize,
}

impl RadixHeap {
    pub(crate) fn new() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            last: 0,
            len: 0,
        }
    }

    fn bucket(&self, key: u32) -> usize {
        (32 - (key ^ self.last).leading_zeros()) as usize
    }

    pub(crate) fn push(&mut self, key: u32, value: u32) {
        let b = self.bucket(key.max(self.last));
        self.buckets[b].push((key.max(self.last), value));
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<(u32, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..33).find(|&i| !self.buckets[i].is_empty())?;
            let mut items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|e| e.0).min()?;
            for &(k, v) in &items {
                let b = self.bucket(k);
                self.buckets[b].push((k, v));
            }
            items.clear();
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }

    pub(crate) fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn radix_heap_pops_in_order() {
        let mut h = RadixHeap::new();
        let mut rng = crate::roads::synth::SplitMix64::new(3);
        let mut reference = BinaryHeap::new();
        let mut last = 0u32;
        for round in 0..2000 {
            for _ in 0..3 {
                let k = last + rng.below(5000) as u32;
                h.push(k, round);
                reference.push(Reverse(k));
            }
            let (k, _) = h.pop().unwrap();
            assert_eq!(Reverse(k), reference.pop().unwrap());
            last = k;
        }
        while let Some((k, _)) = h.pop() {
            assert_eq!(Reverse(k), reference.pop().unwrap());
        }
        assert!(reference.is_empty());
        h.clear();
        assert!(h.pop().is_none());
    }
}
