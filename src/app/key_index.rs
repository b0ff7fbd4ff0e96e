//! [`KeyIndex`]: from an order's key to its place in the order store,
//! holding only the places (4 bytes each), not copies of the keys: the key
//! of a place is read from the store's own list. With 100k orders this is
//! under 1 MB where a `HashMap<OrderKey, u32>` took some 9 MB.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use crate::domain::{OrderKey, OrderSummary};

#[derive(Debug, Default)]
pub struct KeyIndex {
    table: HashTable<u32>,
    hasher: RandomState,
}

impl KeyIndex {
    /// The place of `key` in `orders`, if it is there.
    pub fn find(&self, key: &OrderKey, orders: &[OrderSummary]) -> Option<u32> {
        let hash = self.hasher.hash_one(key);
        self.table
            .find(hash, |&i| {
                orders.get(i as usize).is_some_and(|o| &o.key == key)
            })
            .copied()
    }

    /// Records that `orders[i]` has `key`; every place already recorded must
    /// be in `orders` (they are hashed again when the table grows).
    pub fn insert(&mut self, key: &OrderKey, i: u32, orders: &[OrderSummary]) {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(key);
        self.table.insert_unique(hash, i, |&j| {
            orders
                .get(j as usize)
                .map_or(0, |o| hasher.hash_one(&o.key))
        });
    }

    /// Room for `more` places without growing.
    pub fn reserve(&mut self, more: usize, orders: &[OrderSummary]) {
        let hasher = &self.hasher;
        self.table.reserve(more, |&j| {
            orders
                .get(j as usize)
                .map_or(0, |o| hasher.hash_one(&o.key))
        });
    }

    /// An index of `orders`, or `None` when two have the same key.
    pub fn of(orders: &[OrderSummary]) -> Option<KeyIndex> {
        let mut index = KeyIndex::default();
        index.reserve(orders.len(), orders);
        for (i, order) in orders.iter().enumerate() {
            if index.find(&order.key, &orders[..i]).is_some() {
                return None;
            }
            index.insert(&order.key, u32::try_from(i).ok()?, orders);
        }
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, Stage, Status};

    fn summary(id: usize) -> OrderSummary {
        OrderSummary::of(&Order::new(
            OrderKey::new("tg", id.to_string()),
            "tjansteguiden",
            Status::new("new", Stage::New, false),
        ))
    }

    #[test]
    fn finds_every_key_through_growth_and_refuses_twins() {
        let mut orders = Vec::new();
        let mut index = KeyIndex::default();
        for id in 0..5000 {
            orders.push(summary(id));
            index.insert(&orders[id].key, id as u32, &orders);
        }
        for id in 0..5000 {
            assert_eq!(index.find(&summary(id).key, &orders), Some(id as u32));
        }
        assert_eq!(index.find(&summary(5000).key, &orders), None);
        assert!(KeyIndex::of(&orders).is_some());
        orders.push(summary(7));
        assert!(KeyIndex::of(&orders).is_none());
    }
}
