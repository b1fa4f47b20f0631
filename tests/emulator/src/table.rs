//! [`Table`]: a `Vec` of records that remembers which records changed since
//! the last persist, so that a write costs the size of the change.
//!
//! Reads go through `Deref<Target = Vec<T>>` and cost nothing extra. The
//! tracked methods (`push`, `get_mut`, `find_mut`, `retain`, `remove`)
//! mark only the records they touch. Any other mutable access goes through
//! `DerefMut` and marks the whole table changed (it is then rewritten as a
//! whole at the next persist): correct by default, cheap where it matters.
//!
//! Every record has a stable row id, ascending in table order, so the order
//! survives a restart (`ORDER BY id`).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

thread_local! {
    /// While set, tables serialize as `null` and count themselves: the
    /// state's "meta" record (everything but the tables) is written that way.
    static META_MODE: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Serializes `value` with every [`Table`] in it written as `null`; returns
/// the JSON and how many tables were skipped.
pub(crate) fn to_meta_json<T: Serialize>(value: &T) -> Result<(String, usize), String> {
    META_MODE.with(|m| m.set(Some(0)));
    let out = serde_json::to_string(value);
    let count = META_MODE.with(|m| m.replace(None)).unwrap_or(0);
    out.map(|s| (s, count)).map_err(|e| format!("cannot serialize state: {e}"))
}

/// What changed in one table since the last [`Family::take_changes`].
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Delete every stored row of the table first.
    pub(crate) replace_all: bool,
    /// Rows to insert or overwrite: (row id, JSON).
    pub(crate) upserts: Vec<(u64, String)>,
    /// Row ids to delete.
    pub(crate) deletes: Vec<u64>,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        !self.replace_all && self.upserts.is_empty() && self.deletes.is_empty()
    }
}

/// A persisted table, as seen by the store.
pub(crate) trait Family {
    /// Serializes the changed records and forgets the changes.
    fn take_changes(&mut self) -> Result<Changes, String>;
    /// Forgets the changes (in-memory mode).
    fn discard_changes(&mut self);
    /// Replaces the contents with stored rows (ascending ids).
    fn load_rows(&mut self, rows: Vec<(u64, String)>) -> Result<(), String>;
}

/// A `Vec<T>` with change tracking; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct Table<T> {
    rows: Vec<T>,
    /// Row id of each record; only meaningful while `!all_dirty`.
    ids: Vec<u64>,
    next_id: u64,
    dirty: BTreeSet<u64>,
    removed: Vec<u64>,
    /// Mutated through `DerefMut`: rewrite the whole table.
    all_dirty: bool,
}

impl<T> Default for Table<T> {
    /// An empty table that counts as wholly changed: a table replaced by a
    /// default one (`mem::take`) deletes its stored rows at the next persist.
    fn default() -> Self {
        Table {
            rows: Vec::new(),
            ids: Vec::new(),
            next_id: 1,
            dirty: BTreeSet::new(),
            removed: Vec::new(),
            all_dirty: true,
        }
    }
}

impl<T> Table<T> {
    /// Appends a record (marks only it).
    pub(crate) fn push(&mut self, v: T) {
        self.rows.push(v);
        if !self.all_dirty {
            let id = self.next_id;
            self.next_id = self.next_id.saturating_add(1);
            self.ids.push(id);
            self.dirty.insert(id);
        }
    }

    fn mark(&mut self, i: usize) {
        if !self.all_dirty
            && let Some(id) = self.ids.get(i)
        {
            self.dirty.insert(*id);
        }
    }

    /// The record at `i`, marked changed.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i < self.rows.len() {
            self.mark(i);
        }
        self.rows.get_mut(i)
    }

    /// The first record matching `pred`, marked changed.
    pub(crate) fn find_mut(&mut self, pred: impl FnMut(&T) -> bool) -> Option<&mut T> {
        let i = self.rows.iter().position(pred)?;
        self.get_mut(i)
    }

    /// Removes and returns the record at `i` (panics like `Vec::remove`).
    pub(crate) fn remove(&mut self, i: usize) -> T {
        if !self.all_dirty && i < self.ids.len() {
            let id = self.ids.remove(i);
            self.dirty.remove(&id);
            self.removed.push(id);
        }
        self.rows.remove(i)
    }

    /// Keeps the records matching `keep`; marks only the removed ones.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        if self.all_dirty {
            self.rows.retain(keep);
            return;
        }
        let rows = std::mem::take(&mut self.rows);
        let ids = std::mem::take(&mut self.ids);
        for (row, id) in rows.into_iter().zip(ids) {
            if keep(&row) {
                self.rows.push(row);
                self.ids.push(id);
            } else {
                self.dirty.remove(&id);
                self.removed.push(id);
            }
        }
    }

    /// Gives every record a fresh id (after a whole-table change).
    fn renumber(&mut self) {
        let n = self.rows.len() as u64;
        self.ids = (self.next_id..self.next_id.saturating_add(n)).collect();
        self.next_id = self.next_id.saturating_add(n);
        self.dirty.clear();
        self.removed.clear();
        self.all_dirty = false;
    }
}

impl<T> Deref for Table<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.rows
    }
}

impl<T> DerefMut for Table<T> {
    /// Untracked mutable access: the whole table counts as changed.
    fn deref_mut(&mut self) -> &mut Vec<T> {
        self.all_dirty = true;
        &mut self.rows
    }
}

impl<T> From<Vec<T>> for Table<T> {
    fn from(rows: Vec<T>) -> Self {
        Table { rows, all_dirty: true, ..Table::default() }
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let meta = META_MODE.with(|m| {
            let v = m.get();
            if let Some(n) = v {
                m.set(Some(n + 1));
            }
            v.is_some()
        });
        if meta { ser.serialize_unit() } else { self.rows.serialize(ser) }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    /// From an array (the old snapshot format) or `null` (a meta record).
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let rows: Option<Vec<T>> = Option::deserialize(de)?;
        Ok(rows.map(Table::from).unwrap_or_default())
    }
}

impl<T: Serialize + DeserializeOwned> Family for Table<T> {
    fn take_changes(&mut self) -> Result<Changes, String> {
        let ser = |v: &T| serde_json::to_string(v).map_err(|e| format!("cannot serialize a record: {e}"));
        if self.all_dirty {
            self.renumber();
            let upserts =
                self.ids.iter().zip(&self.rows).map(|(id, r)| Ok((*id, ser(r)?))).collect::<Result<_, String>>()?;
            return Ok(Changes { replace_all: true, upserts, deletes: Vec::new() });
        }
        let mut upserts = Vec::with_capacity(self.dirty.len());
        for id in std::mem::take(&mut self.dirty) {
            if let Ok(i) = self.ids.binary_search(&id)
                && let Some(r) = self.rows.get(i)
            {
                upserts.push((id, ser(r)?));
            }
        }
        Ok(Changes { replace_all: false, upserts, deletes: std::mem::take(&mut self.removed) })
    }

    fn discard_changes(&mut self) {
        if self.all_dirty {
            self.renumber();
        }
        self.dirty.clear();
        self.removed.clear();
    }

    fn load_rows(&mut self, rows: Vec<(u64, String)>) -> Result<(), String> {
        let mut t = Table { all_dirty: false, ..Table::default() };
        for (id, text) in rows {
            let v: T = serde_json::from_str(&text).map_err(|e| format!("corrupt record {id}: {e}"))?;
            t.rows.push(v);
            t.ids.push(id);
            t.next_id = t.next_id.max(id.saturating_add(1));
        }
        *self = t;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn ids(c: &Changes) -> Vec<u64> {
        c.upserts.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn tracked_methods_mark_only_what_they_touch() {
        let mut t: Table<u32> = Table::default();
        assert!(t.take_changes().unwrap().replace_all, "a new table replaces what was stored");
        t.push(1);
        t.push(2);
        t.push(3);
        let c = t.take_changes().unwrap();
        assert_eq!((c.replace_all, ids(&c)), (false, vec![1, 2, 3]));
        assert!(t.take_changes().unwrap().is_empty());
        *t.find_mut(|v| *v == 2).unwrap() = 20;
        t.retain(|v| *v != 1);
        t.push(4);
        let c = t.take_changes().unwrap();
        assert_eq!((ids(&c), c.deletes.clone()), (vec![2, 4], vec![1]));
        assert_eq!(c.upserts[0].1, "20");
        let removed = t.remove(0);
        assert_eq!(removed, 20);
        assert_eq!(t.take_changes().unwrap().deletes, vec![2]);
        assert_eq!(*t, vec![3, 4]);
    }

    #[test]
    fn untracked_mutation_rewrites_the_table_in_order() {
        let mut t: Table<u32> = Table::default();
        t.push(1);
        t.push(2);
        t.take_changes().unwrap();
        t.insert(0, 0);
        t.push(3);
        let c = t.take_changes().unwrap();
        assert!(c.replace_all);
        let rows: Vec<&str> = c.upserts.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(rows, ["0", "1", "2", "3"]);
        let mut sorted = ids(&c);
        sorted.sort_unstable();
        assert_eq!(sorted, ids(&c), "ids ascend in table order");
        // Reloaded rows keep the order and later pushes get larger ids.
        let mut back: Table<u32> = Table::default();
        let last = *ids(&c).last().unwrap();
        back.load_rows(c.upserts).unwrap();
        assert!(back.take_changes().unwrap().is_empty(), "loaded rows are clean");
        assert_eq!(*back, vec![0, 1, 2, 3]);
        back.push(9);
        let c2 = back.take_changes().unwrap();
        assert!(ids(&c2)[0] > last);
    }

    #[test]
    fn meta_mode_writes_tables_as_null_and_counts_them() {
        #[derive(Serialize, Deserialize, Default)]
        struct S {
            a: Table<u32>,
            b: u32,
            c: Table<String>,
        }
        let mut s = S::default();
        s.a.push(7);
        s.b = 5;
        let (json, n) = to_meta_json(&s).unwrap();
        assert_eq!((json.as_str(), n), (r#"{"a":null,"b":5,"c":null}"#, 2));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"a":[7],"b":5,"c":[]}"#);
        let back: S = serde_json::from_str(r#"{"a":[1,2],"b":5,"c":null}"#).unwrap();
        assert_eq!((back.a.len(), back.c.len()), (2, 0));
    }
}
