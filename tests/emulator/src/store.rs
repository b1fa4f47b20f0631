//! SQLite persistence of [`State`], one row per record (format 2).
//!
//! Layout: `records (family, id, data)` holds every record of every
//! [`Table`](crate::table::Table) of the state (one family per table, `id`
//! its row id, `data` its JSON); `emulator_meta` holds the format number and
//! the rest of the state (scalars and settings, tables written as `null`).
//! A request's changes (a [`Batch`]) are written by one writer thread;
//! batches queued while it writes are committed together (group commit), in
//! order, and a request is answered only once its batch — and every batch
//! before it — is committed. See the crate README, "Persistence".
//!
//! Format 1 (the whole state as one JSON row of table `snapshot`) is
//! migrated on open, in one transaction.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::state::State;
use crate::table::{Changes, to_meta_json};

/// The on-disk format written by this version.
pub(crate) const FORMAT: i64 = 2;
/// The only snapshot version of format 1 (`snapshot.version`).
const SNAPSHOT_VERSION: i64 = 1;
/// Most batches committed in one transaction.
const MAX_GROUP: usize = 512;

/// The changed meta record (if it changed) and the changes per family.
pub(crate) type Taken = (Option<String>, Vec<(&'static str, Changes)>);

/// One persisted mutation: the changed records and, if it changed, the meta record.
#[derive(Debug)]
pub(crate) struct Batch {
    /// Generation of the in-memory state the changes were taken from.
    pub(crate) generation: u64,
    pub(crate) seq: u64,
    pub(crate) meta: Option<String>,
    pub(crate) families: Vec<(&'static str, Changes)>,
}

/// Takes the changes of `state` since the last call as a batch (O(changes)).
/// `last_meta` is the meta record last handed out; it is updated.
pub(crate) fn take_batch(state: &mut State, last_meta: &mut String) -> Result<Taken, String> {
    let (meta, tables) = to_meta_json(state)?;
    let mut families = Vec::new();
    let all = state.families();
    if all.len() != tables {
        // A `Table` field missing from `State::families` would be lost.
        return Err(format!("state has {tables} tables but {} are registered", all.len()));
    }
    for (name, fam) in all {
        let c = fam.take_changes()?;
        if !c.is_empty() {
            families.push((name, c));
        }
    }
    let meta = if meta == *last_meta {
        None
    } else {
        last_meta.clone_from(&meta);
        Some(meta)
    };
    Ok((meta, families))
}

fn open_conn(path: &Path) -> Result<Connection, String> {
    let conn = Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    // WAL + synchronous=FULL: a commit returns once the WAL is on disk.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(|e| format!("cannot initialize {}: {e}", path.display()))?;
    Ok(conn)
}

fn sql(what: &str) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

fn table_exists(conn: &Connection, name: &str) -> Result<bool, String> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
        .map_err(sql("cannot read the schema"))
}

/// Writes `batches` in one transaction.
fn apply(conn: &mut Connection, batches: &[&Batch]) -> Result<(), String> {
    let tx = conn.transaction().map_err(sql("cannot begin"))?;
    {
        let mut del_all = tx.prepare_cached("DELETE FROM records WHERE family = ?1").map_err(sql("prepare"))?;
        let mut del = tx.prepare_cached("DELETE FROM records WHERE family = ?1 AND id = ?2").map_err(sql("prepare"))?;
        let mut put = tx
            .prepare_cached("INSERT OR REPLACE INTO records (family, id, data) VALUES (?1, ?2, ?3)")
            .map_err(sql("prepare"))?;
        let mut meta = tx
            .prepare_cached("INSERT OR REPLACE INTO emulator_meta (k, v) VALUES ('state', ?1)")
            .map_err(sql("prepare"))?;
        for b in batches {
            for (family, c) in &b.families {
                if c.replace_all {
                    del_all.execute([family]).map_err(sql("cannot delete records"))?;
                }
                for id in &c.deletes {
                    del.execute(params![family, *id as i64]).map_err(sql("cannot delete a record"))?;
                }
                for (id, data) in &c.upserts {
                    put.execute(params![family, *id as i64, data]).map_err(sql("cannot write a record"))?;
                }
            }
            if let Some(m) = &b.meta {
                meta.execute([m]).map_err(sql("cannot write the state record"))?;
            }
        }
    }
    tx.commit().map_err(sql("cannot commit"))
}

/// Opens (creating or migrating) the store at `path` and loads the state
/// (`None`: a fresh file).
pub(crate) fn open(path: &Path) -> Result<(Option<State>, Persister), String> {
    let mut conn = open_conn(path)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS emulator_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS records (
             family TEXT NOT NULL,
             id INTEGER NOT NULL,
             data TEXT NOT NULL,
             PRIMARY KEY (family, id)
         ) WITHOUT ROWID;",
    )
    .map_err(|e| format!("cannot initialize {}: {e}", path.display()))?;
    let format: Option<String> = conn
        .query_row("SELECT v FROM emulator_meta WHERE k = 'format'", [], |r| r.get(0))
        .optional()
        .map_err(sql("cannot read the format"))?;
    match format.as_deref() {
        None => {}
        Some(f) if f == FORMAT.to_string() => {}
        Some(f) => {
            return Err(format!(
                "{} is in state format {f}; this emulator reads format {FORMAT} (and migrates format 1)",
                path.display()
            ));
        }
    }
    let state = if table_exists(&conn, "snapshot")? {
        migrate_v1(&mut conn, path)?
    } else {
        conn.execute("INSERT OR IGNORE INTO emulator_meta (k, v) VALUES ('format', ?1)", [FORMAT.to_string()])
            .map_err(sql("cannot write the format"))?;
        load(&conn)?
    };
    Ok((state, Persister::start(conn, path.to_owned())?))
}

/// Format 1 → 2: the snapshot row becomes records, in one transaction with
/// dropping the `snapshot` table (a crash leaves either format, never both
/// or neither).
fn migrate_v1(conn: &mut Connection, path: &Path) -> Result<Option<State>, String> {
    let row: Option<(i64, String)> = conn
        .query_row("SELECT version, state FROM snapshot WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(sql("cannot read the format-1 snapshot"))?;
    let mut state = match row {
        None => None,
        Some((v, _)) if v != SNAPSHOT_VERSION => {
            return Err(format!(
                "{}: format-1 snapshot version {v} is not {SNAPSHOT_VERSION}; refusing to migrate it",
                path.display()
            ));
        }
        Some((_, text)) => Some(
            serde_json::from_str::<State>(&text)
                .map_err(|e| format!("{}: corrupt format-1 snapshot, not migrated: {e}", path.display()))?,
        ),
    };
    let tx = conn.transaction().map_err(sql("cannot begin the migration"))?;
    tx.execute("INSERT OR REPLACE INTO emulator_meta (k, v) VALUES ('format', ?1)", [FORMAT.to_string()])
        .map_err(sql("cannot write the format"))?;
    if let Some(s) = state.as_mut() {
        let (meta, families) = take_batch(s, &mut String::new())?;
        let batch = Batch { generation: 0, seq: 0, meta, families };
        // `apply` opens its own transaction; write through this one instead.
        for (family, c) in &batch.families {
            for (id, data) in &c.upserts {
                tx.execute(
                    "INSERT OR REPLACE INTO records (family, id, data) VALUES (?1, ?2, ?3)",
                    params![family, *id as i64, data],
                )
                .map_err(sql("cannot write a record"))?;
            }
        }
        if let Some(m) = &batch.meta {
            tx.execute("INSERT OR REPLACE INTO emulator_meta (k, v) VALUES ('state', ?1)", [m])
                .map_err(sql("cannot write the state record"))?;
        }
    }
    tx.execute_batch("DROP TABLE snapshot").map_err(sql("cannot drop the format-1 snapshot"))?;
    tx.commit().map_err(sql("cannot commit the migration"))?;
    Ok(state)
}

/// Reads the whole state (`None` when nothing was ever written).
fn load(conn: &Connection) -> Result<Option<State>, String> {
    let meta: Option<String> = conn
        .query_row("SELECT v FROM emulator_meta WHERE k = 'state'", [], |r| r.get(0))
        .optional()
        .map_err(sql("cannot read the state record"))?;
    let Some(meta) = meta else { return Ok(None) };
    let mut state: State = serde_json::from_str(&meta).map_err(|e| format!("corrupt state record: {e}"))?;
    let mut known = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id, data FROM records WHERE family = ?1 ORDER BY id").map_err(sql("prepare"))?;
    for (name, fam) in state.families() {
        known.push(name);
        let rows = stmt
            .query_map([name], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(sql("cannot read records"))?;
        fam.load_rows(rows).map_err(|e| format!("family {name}: {e}"))?;
    }
    let mut stmt = conn.prepare("SELECT DISTINCT family FROM records").map_err(sql("prepare"))?;
    let families = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(sql("cannot read records"))?;
    if let Some(unknown) = families.iter().find(|f| !known.contains(&f.as_str())) {
        return Err(format!(
            "the state file has records of an unknown family {unknown:?} (written by a newer emulator?)"
        ));
    }
    Ok(Some(state))
}

#[derive(Debug, Default)]
struct Progress {
    /// Every batch up to this seq has been handled (committed or refused).
    done: u64,
    /// Failed writes: (generation, first seq not written, error). Every
    /// later batch of that generation is refused too.
    failures: Vec<(u64, u64, String)>,
}

/// The writer thread's handle: queue batches, wait for them.
#[derive(Debug)]
pub(crate) struct Persister {
    tx: Mutex<Sender<Batch>>,
    progress: Arc<(Mutex<Progress>, Condvar)>,
    path: PathBuf,
}

impl Persister {
    fn start(conn: Connection, path: PathBuf) -> Result<Self, String> {
        let (tx, rx) = channel::<Batch>();
        let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let p2 = Arc::clone(&progress);
        std::thread::Builder::new()
            .name("emulator-store".into())
            .spawn(move || writer(conn, &rx, &p2))
            .map_err(|e| format!("cannot start the store writer: {e}"))?;
        Ok(Persister { tx: Mutex::new(tx), progress, path })
    }

    /// Queues a batch (call with the state lock held, so seqs go in order).
    pub(crate) fn submit(&self, batch: Batch) -> Result<(), String> {
        let tx = self.tx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        tx.send(batch).map_err(|_| "the store writer has stopped".to_owned())
    }

    /// Waits until every batch up to `seq` is handled; `Err` if one of
    /// them (of `generation`) was not written.
    pub(crate) fn wait(&self, generation: u64, seq: u64) -> Result<(), String> {
        let (m, cv) = &*self.progress;
        let mut p = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while p.done < seq {
            p = cv.wait(p).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        match p.failures.iter().find(|(g, first, _)| *g == generation && *first <= seq) {
            Some((_, _, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Reads the committed state again (after a failed write).
    pub(crate) fn reload(&self) -> Result<State, String> {
        let conn = open_conn(&self.path)?;
        Ok(load(&conn)?.unwrap_or_default())
    }
}

fn writer(mut conn: Connection, rx: &Receiver<Batch>, progress: &(Mutex<Progress>, Condvar)) {
    let mut poisoned: Option<u64> = None;
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(b) => group.push(b),
                Err(_) => break,
            }
        }
        let live: Vec<&Batch> = group.iter().filter(|b| Some(b.generation) != poisoned).collect();
        let res = if live.is_empty() { Ok(()) } else { apply(&mut conn, &live) };
        let last = group.last().map_or(0, |b| b.seq);
        let (m, cv) = progress;
        let mut p = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Err(e), Some(b)) = (res, live.first()) {
            poisoned = Some(b.generation);
            p.failures.push((b.generation, b.seq, e));
        }
        p.done = p.done.max(last);
        drop(p);
        cv.notify_all();
    }
}
